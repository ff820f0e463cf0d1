"""The soak's accelerated clock found it: Procore's ``X-Rate-Limit-Reset`` is a time on Procore's clock, so a
client whose own clock is off (minutes of skew; hours, in the soak) must measure the wait against the
answer's ``Date``, not against its own time."""

from __future__ import annotations

from email.utils import formatdate

from procore_xero.clients.http import ApiSession
from procore_xero.clients.procore import ProcoreRateLimits
from procore_xero.clients.retry import RetryPolicy
from tests.unit.clients.fakes import FakeSession, FakeTime, StaticToken, response

SKEW = 2 * 3600  # the server's clock is two hours ahead of ours


def limited(server_now: float, wait: int) -> dict[str, str]:
    return {
        "Date": formatdate(server_now, usegmt=True),
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "0",
        "X-Rate-Limit-Reset": str(int(server_now) + wait),
    }


def call_after_429(headers: dict[str, str], fake: FakeTime) -> None:
    """One GET answered 429 with ``headers``, then 200."""
    session = FakeSession([response(429, headers=headers), response(200, [])])
    api = ApiSession(
        "http://api.test",
        StaticToken(),
        ProcoreRateLimits(),
        session=session,  # type: ignore[arg-type]
        retry=RetryPolicy(jitter=lambda: 0.0),
        sleep=fake.sleep,
        clock=fake.clock,
    )
    api.request("GET", "/rest/v1.0/vendors")


def test_a_429_waits_until_the_reset_on_the_servers_clock_not_ours() -> None:
    fake = FakeTime()
    call_after_429(limited(fake.now + SKEW, 4), fake)
    assert sum(fake.sleeps) == 5.0  # 4 s to the reset + 1 s for its whole-second resolution, not 2 h 4 s


def test_without_a_date_header_the_local_clock_is_the_reference() -> None:
    fake = FakeTime()
    headers = {k: v for k, v in limited(fake.now, 3).items() if k != "Date"}
    call_after_429(headers, fake)
    assert sum(fake.sleeps) == 4.0
