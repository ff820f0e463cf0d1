"""The sandbox's shared parts: clock arithmetic, rate-limit windows, fault rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.core.clock import SandboxClock
from sandbox.core.faults import FaultInjector, FaultRule
from sandbox.core.ratelimit import Window, hit_all

START = datetime(2026, 11, 1, tzinfo=UTC)


def test_clock_starts_where_told_and_jumps_forward() -> None:
    clock = SandboxClock(start=START)
    assert abs(clock.time() - START.timestamp()) < 1.0
    clock.set(advance_seconds=3600)
    assert 3600 <= clock.time() - START.timestamp() < 3601
    clock.set(start=datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2027


def test_clock_speed_scales_elapsed_time() -> None:
    clock = SandboxClock(start=START, speed=1000)
    before = clock.time()
    import time

    time.sleep(0.05)
    elapsed = clock.time() - before
    assert 40 <= elapsed <= 500  # 0.05 s real ≈ 50 s of sandbox time
    with pytest.raises(ValueError, match="positive"):
        clock.set(speed=0)


def test_window_counts_until_limit_then_refuses_until_reset() -> None:
    window = Window(limit=3, seconds=60)
    states = [window.hit(1000.0) for _ in range(4)]
    assert [s.allowed for s in states] == [True, True, True, False]
    assert [s.remaining for s in states] == [2, 1, 0, 0]
    assert states[-1].reset_at == 1060.0
    assert states[-1].retry_after(1000.0) == 60
    assert window.hit(1060.0).remaining == 2  # a new window opened at the first call after the old one


def test_hit_all_counts_nothing_when_one_window_is_exhausted() -> None:
    clock = SandboxClock(start=START)
    windows = {"minute": Window(limit=2, seconds=60), "day": Window(limit=100, seconds=86400)}
    assert hit_all(windows, clock)[0] is None
    assert hit_all(windows, clock)[0] is None
    blocked, states = hit_all(windows, clock)
    assert blocked == "minute"
    assert states["day"].remaining == 98  # the refused call was not charged to the day window


def test_fault_rule_matches_method_and_path_and_is_used_up() -> None:
    faults = FaultInjector()
    faults.add(FaultRule(kind="503", path=r"/Invoices$", method="PUT", count=2))
    assert faults.take("GET", "/api.xro/2.0/Invoices") is None
    assert faults.take("PUT", "/api.xro/2.0/Invoices").kind == "503"
    assert faults.take("PUT", "/api.xro/2.0/Invoices").fired == 2
    assert faults.take("PUT", "/api.xro/2.0/Invoices") is None
    assert faults.fired_by_kind == {"503": 2}


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"kind": "418"}, "unknown fault kind"), ({"kind": "500", "count": 0}, "count")]
)
def test_fault_rule_rejects_nonsense(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultRule(**kwargs)  # type: ignore[arg-type]


def test_delivery_faults_never_hit_an_api_call() -> None:
    """``repeat`` / ``reorder`` armed on any path wait for an outgoing webhook delivery."""
    faults = FaultInjector()
    faults.add(FaultRule(kind="reorder"))
    assert faults.take("GET", "/rest/v1.0/vendors") is None
    taken = faults.take("POST", "/webhooks/deliver/Company Vendors")
    assert taken is not None and (taken.kind, taken.fired) == ("reorder", 1)


def test_fault_injector_reset_forgets_what_fired_but_clear_keeps_it() -> None:
    faults = FaultInjector()
    faults.add(FaultRule(kind="500", count=3))
    faults.take("GET", "/x")
    faults.clear()
    assert faults.take("GET", "/x") is None and faults.fired_by_kind == {"500": 1}
    faults.reset()
    assert faults.fired_by_kind == {}
