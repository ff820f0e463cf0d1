"""The Procore client's header pacing against the sandbox's own rate limiter at Procore's published numbers
(3,600 calls an hour, 100 in 10 s): each window's limit is used to the last call.

The sandbox's ``RateLimiter`` answers every call with its headers; the client's ``ProcoreRateLimits`` and
``Throttle`` decide when the next call goes; time is simulated (a call takes 20 ms, the ``Date`` header is
whole seconds, as a server's is), so hours pass in a fraction of a second.
"""

from __future__ import annotations

import math

import pytest

from procore_xero.clients.procore import ProcoreRateLimits
from procore_xero.clients.throttle import Throttle
from sandbox.procore.ratelimit import Limits, RateLimiter
from tests.unit.clients.fakes import FakeTime

CALL_SECONDS = 0.02


class SandboxClock:
    """The limiter's clock: the same simulated time as the client's."""

    def __init__(self, fake: FakeTime) -> None:
        self.fake = fake

    def time(self) -> float:
        return self.fake.now


def paced_calls(limits: Limits, calls: int) -> tuple[list[float], int]:
    """Make ``calls`` successful calls the way ``ApiSession`` paces them; the times the server counted
    them and the number of 429s."""
    fake = FakeTime()
    server, rules, throttle = (
        RateLimiter(limits, SandboxClock(fake)),
        ProcoreRateLimits(),
        Throttle(fake.clock, fake.sleep),
    )
    counted: list[float] = []
    refused = 0
    while len(counted) < calls:
        throttle.wait()
        allowed, headers = server.hit("app")
        at = fake.now
        fake.now += CALL_SECONDS
        date = math.floor(fake.now)  # the answer's Date header
        if allowed:
            counted.append(at)
            throttle.observe(rules.budgets(headers, date))
        else:
            refused += 1
            throttle.hold(rules.refusal(headers, date).wait)
    return counted, refused


def window_counts(times: list[float], seconds: float) -> list[int]:
    """Calls per fixed window, each opened by the first call after the last one closed (as the sandbox)."""
    counts: list[int] = []
    start = -math.inf
    for at in times:
        if at >= start + seconds:
            start = at
            counts.append(0)
        counts[-1] += 1
    return counts


def test_each_hour_is_used_to_its_limit_at_procores_numbers() -> None:
    times, refused = paced_calls(Limits(), 9000)
    # Each spike window is used to its 100 calls, so the hour's 3,600th call is also a spike window's last:
    # both windows are spent and the headers name the spike window (its reset is closer), the only one the
    # client can see. The next call, after the spike reset, gets the hour's 429 and waits for its reset:
    # one refusal an hour, honoured.
    assert refused == 2
    assert window_counts(times, 3600) == [3600, 3600, 1800]
    assert window_counts(times[:100], 10) == [100]  # the spike window is used to its limit too
    assert max(window_counts(times, 10)) == 100


@pytest.mark.parametrize(("limit", "seconds"), [(900, 60.0), (100, 24.0)])
def test_a_shortened_hour_is_used_to_its_limit(limit: int, seconds: float) -> None:
    """The benchmark's and the integration test's shortened hours (the spike window lifted)."""
    limits = Limits(hourly=limit, hourly_seconds=seconds, spike=10**9)
    times, refused = paced_calls(limits, 3 * limit)
    assert refused == 0
    assert window_counts(times, seconds) == [limit, limit, limit]
