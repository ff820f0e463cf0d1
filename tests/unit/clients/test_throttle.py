"""Pacing before a 429: budgets from each service's headers and the waits they produce."""

from __future__ import annotations

import math

import pytest

from procore_xero.clients.procore import ProcoreRateLimits
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.throttle import Budget, Throttle
from procore_xero.clients.xero import XeroRateLimits
from tests.unit.clients.fakes import FakeTime

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("limit", "remaining", "resets_in", "delay"),
    [
        (100, 50, 10.0, 0.0),  # plenty left: full speed
        (100, 11, 10.0, 0.0),  # just above the 10 % low-water mark
        (100, 10, 10.0, 10 / 11),  # at the mark: 10 calls and a last gap before the reset in 10 s
        (100, 2, 10.0, 10 / 3),
        (100, 0, 7.0, 7.0),  # nothing left: wait for the reset
        (60, 3, 60.0, 15.0),
    ],
)
def test_budget_spreads_the_remaining_calls_over_the_time_to_reset(
    limit: int, remaining: int, resets_in: float, delay: float
) -> None:
    assert Budget("w", limit, remaining, resets_in).pacing_delay() == pytest.approx(delay)


def test_throttle_sleeps_only_the_part_of_the_delay_not_yet_elapsed() -> None:
    fake = FakeTime()
    throttle = Throttle(fake.clock, fake.sleep)
    assert throttle.observe([Budget("w", 100, 5, 12.0), Budget("v", 100, 90, 60.0)]) == pytest.approx(2.0)
    fake.now += 0.5  # the caller spent half a second processing the page
    assert throttle.wait() == pytest.approx(1.5)
    assert throttle.wait() == 0.0  # already paced
    throttle.hold(30.0)
    assert throttle.wait() == pytest.approx(30.0)
    assert fake.sleeps == [1.5, 30.0]
    assert throttle.waited_seconds == pytest.approx(31.5)


def test_procore_headers_become_one_budget_and_a_429_waits_until_reset() -> None:
    rules = ProcoreRateLimits()
    headers = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "4",
        "X-Rate-Limit-Reset": str(int(NOW) + 8),
    }
    assert rules.budgets(headers, NOW) == [Budget("procore", 100, 4, 9.0, uncertain=3.0)]
    assert rules.budgets(headers, NOW)[0].pacing_delay() == pytest.approx(6.0 / 5)  # 4 calls in 6 s, surely
    assert rules.budgets({}, NOW) == []
    spike = rules.refusal(headers, NOW)
    assert (spike.limit, spike.wait, spike.daily) == ("spike", 9.0, False)
    hourly = rules.refusal({**headers, "X-Rate-Limit-Reset": str(int(NOW) + 2400)}, NOW)
    assert (hourly.limit, hourly.wait) == ("hourly", 2401.0)
    assert rules.refusal({"Retry-After": "3"}, NOW).wait == 3.0  # a 503-style Retry-After wins


def test_procore_limits_are_learnt_for_the_window_their_reset_points_at() -> None:
    """A spike window opened at 0.3 s past a second: Reset rounds its end (10.3 s on) up to 11 s, the
    answer's Date says the second it opened in, so the reset reads 12 s away; it is still the spike's."""
    rules = ProcoreRateLimits()
    opened = NOW + 0.3
    spike = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "99",
        "X-Rate-Limit-Reset": str(math.ceil(opened + 10)),
    }
    assert rules.floors(spike, math.floor(opened)) == {"spike": 100}
    hourly = {**spike, "X-Rate-Limit-Limit": "3600", "X-Rate-Limit-Reset": str(int(NOW) + 2400)}
    assert rules.floors(hourly, NOW) == {"hourly": 3600}


def test_xero_headers_pace_minute_limits_and_a_daily_429_is_flagged() -> None:
    rules = XeroRateLimits()
    headers = {"X-MinLimit-Remaining": "5", "X-DayLimit-Remaining": "12", "X-AppMinLimit-Remaining": "9000"}
    budgets = rules.budgets(headers, NOW)
    assert [(b.name, b.limit, b.remaining) for b in budgets] == [
        ("minute", 60, 5),
        ("appminute", 10000, 9000),
    ]
    assert max(b.pacing_delay() for b in budgets) == pytest.approx(10.0)  # 5 calls and a last gap a minute
    minute = rules.refusal({"Retry-After": "17", "X-Rate-Limit-Problem": "minute"}, NOW)
    assert (minute.limit, minute.wait, minute.daily) == ("minute", 17.0, False)
    daily = rules.refusal({"Retry-After": "43200", "X-Rate-Limit-Problem": "daily"}, NOW)
    assert (daily.limit, daily.wait, daily.daily) == ("daily", 43200.0, True)


def test_backoff_doubles_with_equal_jitter_and_is_capped() -> None:
    low = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 0.0)
    high = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 1.0)
    assert [low.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [high.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]
