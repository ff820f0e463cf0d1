"""The shared call log on a real SQLite staging file, with the clock moved by hand: which call may go, how
long the others wait, what dead processes leave behind and what the answers teach."""

from __future__ import annotations

from pathlib import Path

import pytest

from procore_xero.clients.http import Refusal
from procore_xero.clients.shared_budget import SharedBudget, Window, procore_budget, xero_budget
from procore_xero.staging.engine import create_staging_engine


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def budget(tmp_path: Path, clock: Clock, windows: list[Window], **options: object) -> SharedBudget:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    return SharedBudget(engine, "xero:t1", windows, clock=clock, **options)  # type: ignore[arg-type]


def test_a_full_window_waits_until_the_oldest_answer_leaves_it(tmp_path: Path, clock: Clock) -> None:
    shared = budget(tmp_path, clock, [Window("minute", 60.0, 3)], margin=1.0)
    slots = []
    for step in range(3):
        clock.now += step
        slots.append(shared.reserve())
        assert isinstance(slots[-1], int)
    assert shared.reserve() == Refusal("minute", 0.05)  # all three in flight: look again shortly
    clock.now = 1_000_010.0
    for slot in slots:
        shared.release(slot)  # all three answered at +10 s
    refused = shared.reserve()
    assert isinstance(refused, Refusal) and refused.limit == "minute" and refused.wait == pytest.approx(61.0)
    clock.now += 61.0
    assert isinstance(shared.reserve(), int)


def test_in_flight_calls_are_limited_and_a_dead_process_slot_is_settled(tmp_path: Path, clock: Clock) -> None:
    shared = budget(tmp_path, clock, [Window("minute", 60.0, 100)], in_flight=2, stale_after=300.0)
    assert isinstance(shared.reserve(), int) and isinstance(shared.reserve(), int)  # never released
    assert shared.reserve() == Refusal("concurrent", 0.05)
    clock.now += 301.0  # both senders died mid-call: their slots count as answered 300 s after sending
    assert isinstance(shared.reserve(), int)


def test_the_daily_window_refuses_without_waiting(tmp_path: Path, clock: Clock) -> None:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    shared = xero_budget(engine, "t1", daily_limit=2)
    shared.clock = clock
    for _ in range(2):
        slot = shared.reserve()
        assert isinstance(slot, int)
        shared.release(slot)
    refused = shared.reserve()
    assert isinstance(refused, Refusal) and refused.daily and refused.wait == pytest.approx(86_401.0)


def test_answers_raise_a_published_limit_for_every_process(tmp_path: Path, clock: Clock) -> None:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    first, other = xero_budget(engine, "t1"), xero_budget(engine, "t1")  # two processes' budgets
    for budget_ in (first, other):
        budget_.clock = clock
    first.learn({"minute": 62, "daily": 3})  # a raised minute limit; a daily floor below 5,000 is ignored
    for _ in range(62):
        slot = other.reserve()
        assert isinstance(slot, int), slot
        other.release(slot)
    refused = other.reserve()
    assert isinstance(refused, Refusal) and refused.limit == "minute"
    assert not first.enforces("minute") and first.enforces("daily")  # a raised limit is paced on headers too
    assert other.enforces("minute")


def test_procore_windows_have_the_limit_its_headers_name(tmp_path: Path, clock: Clock) -> None:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    procore = procore_budget(engine, "app-1")
    procore.clock = clock
    assert isinstance(procore.reserve(), int) and isinstance(procore.reserve(), int)  # no limit known yet
    procore.learn({"spike": 2})
    refused = procore.reserve()  # both calls are still in flight
    assert isinstance(refused, Refusal) and refused.limit == "spike" and not refused.daily
    assert not procore.enforces("spike")  # learnt limits are paced on the headers too


def test_a_limit_the_answers_keep_showing_is_never_forgotten(tmp_path: Path, clock: Clock) -> None:
    """A process that runs for hours (a first full extract) keeps confirming the hourly limit it learnt: the
    budget still holds the third hour to it (it used to store a floor once and lose it an hour later)."""
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    procore = procore_budget(engine, "app-1")
    procore.clock = clock
    for hour in range(3):
        clock.now = 1_000_000.0 + hour * 3_700.0
        for _ in range(3):
            slot = procore.reserve()
            assert isinstance(slot, int), (hour, slot)
            procore.release(slot)
            procore.learn({"hourly": 3})  # every answer names the hour's limit
        refused = procore.reserve()
        assert isinstance(refused, Refusal) and refused.limit == "hourly", hour
        assert refused.wait == pytest.approx(3_601.0)


@pytest.mark.parametrize("value", ["abc", "0", -5, True, "1e3"])
def test_a_connection_daily_limit_that_is_not_a_count_is_refused_clearly(value: object) -> None:
    from procore_xero.airflow.hooks import XeroHook
    from procore_xero.clients import ConfigurationError

    with pytest.raises(ConfigurationError, match="'xero_acme': extra daily_limit must be a whole number"):
        XeroHook("xero_acme")._daily_limit({"daily_limit": value})
    assert XeroHook("xero_acme")._daily_limit({"daily_limit": "1000"}) == 1000
    assert XeroHook("xero_acme")._daily_limit({}) == 5000
