"""The shared call machinery: retries, 429 handling, token renewal, exact JSON, call counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests

from procore_xero.clients.errors import (
    ClientError,
    DailyLimitReached,
    RateLimitExhausted,
    RequestRejected,
    ServiceUnavailable,
)
from procore_xero.clients.http import ApiSession
from procore_xero.clients.procore import ProcoreRateLimits
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.xero import XeroRateLimits
from tests.unit.clients.fakes import FakeSession, FakeTime, StaticToken, response

BASE = "http://api.test"
POLICY = RetryPolicy(attempts=3, base_delay=1.0, jitter=lambda: 0.0)


def make(script: list, rules=None, fake: FakeTime | None = None) -> tuple[ApiSession, FakeSession, FakeTime]:
    fake = fake or FakeTime()
    session = FakeSession(script)
    api = ApiSession(
        BASE,
        StaticToken(),
        rules or XeroRateLimits(),
        headers={"xero-tenant-id": "t-1"},
        session=session,
        retry=POLICY,
        sleep=fake.sleep,
        clock=fake.clock,
    )  # type: ignore[arg-type]
    return api, session, fake


def test_get_retries_5xx_and_dropped_connections_with_backoff_then_succeeds() -> None:
    api, session, fake = make([response(503), requests.ConnectionError("reset"), response(200, {"ok": 1})])
    assert api.request("GET", "/api.xro/2.0/Items").body == {"ok": 1}
    assert fake.sleeps == [0.5, 1.0]  # equal jitter at 0: half of 1 s, then half of 2 s
    assert api.calls.snapshot() == {"GET /api.xro/2.0/Items": 3}
    sent = session.sent[0]
    assert sent.headers["Authorization"] == "Bearer access-token-0"
    assert sent.headers["xero-tenant-id"] == "t-1"


def test_503_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    api, _, fake = make([response(503, headers={"Retry-After": "9"}), response(200, [])], ProcoreRateLimits())
    api.request("GET", "/rest/v1.0/vendors")
    assert fake.sleeps == [9.0]


def test_get_gives_up_after_bounded_attempts_naming_method_and_path() -> None:
    api, _, _ = make([response(500, text="boom"), response(502), response(504)])
    with pytest.raises(ServiceUnavailable) as caught:
        api.request("GET", "/api.xro/2.0/Invoices")
    assert (caught.value.method, caught.value.path, caught.value.status) == (
        "GET",
        "/api.xro/2.0/Invoices",
        504,
    )
    assert caught.value.attempts == 3
    assert "GET /api.xro/2.0/Invoices failed with 504" in str(caught.value)


def test_a_write_is_not_retried_unless_idempotent() -> None:
    api, session, _ = make([requests.Timeout("read timed out")])
    with pytest.raises(ServiceUnavailable) as caught:
        api.request("PUT", "/api.xro/2.0/Contacts", json={"Contacts": []})
    assert caught.value.maybe_applied is True  # no answer: the write may have happened
    assert len(session.sent) == 1

    api, session, fake = make([requests.Timeout("read timed out"), response(200, {"Contacts": []})])
    api.request("PUT", "/api.xro/2.0/Contacts", json={"Contacts": []}, idempotent=True)
    assert len(session.sent) == 2 and fake.sleeps == [0.5]


def test_minute_429_waits_the_advertised_time_and_goes_on() -> None:
    limited = response(429, headers={"Retry-After": "17", "X-Rate-Limit-Problem": "minute"})
    api, session, fake = make([limited, response(200, {"ok": True})])
    assert api.request("POST", "/api.xro/2.0/Contacts", json={}).body == {
        "ok": True
    }  # a 429 was not processed
    assert fake.sleeps == [17.0]
    assert len(session.sent) == 2


def test_daily_429_raises_at_once_with_the_limit_reset_time_and_page() -> None:
    limited = response(429, headers={"Retry-After": "36000", "X-Rate-Limit-Problem": "daily"})
    api, _, fake = make([limited])
    with pytest.raises(DailyLimitReached) as caught:
        api.request("GET", "/api.xro/2.0/Invoices", page=7)
    error = caught.value
    assert (error.limit, error.page) == ("daily", 7)
    assert error.resets_at == datetime.fromtimestamp(fake.now + 36000, UTC)
    assert fake.sleeps == []  # never sleeps for hours


def test_procore_429_longer_than_the_longest_wait_raises_rate_limit_exhausted() -> None:
    fake = FakeTime()
    limited = response(
        429,
        headers={
            "X-Rate-Limit-Limit": "3600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(fake.now) + 3000),
        },
    )
    api, _, _ = make([limited], ProcoreRateLimits(), fake)
    with pytest.raises(RateLimitExhausted) as caught:
        api.request("GET", "/rest/v1.0/projects", page=2)
    assert (caught.value.limit, caught.value.page) == ("hourly", 2)
    assert not isinstance(caught.value, DailyLimitReached)


def test_low_remaining_paces_the_next_call_before_any_429() -> None:
    fake = FakeTime()
    low = {
        "X-Rate-Limit-Limit": "100",
        "X-Rate-Limit-Remaining": "5",
        "X-Rate-Limit-Reset": str(int(fake.now) + 10),
    }
    api, _, _ = make([response(200, [], low), response(200, [])], ProcoreRateLimits(), fake)
    api.request("GET", "/rest/v1.0/vendors")
    api.request("GET", "/rest/v1.0/vendors")
    # 5 calls and a gap to the reset in the 8 s surely left (Reset and Date are whole seconds)
    assert fake.sleeps == [1.333333]


def test_401_renews_the_token_once() -> None:
    api, session, _ = make([response(401), response(200, {"ok": 1})])
    api.request("GET", "/connections")
    assert [s.headers["Authorization"] for s in session.sent] == [
        "Bearer access-token-0",
        "Bearer access-token-1",
    ]
    api, _, _ = make([response(401), response(401)])
    with pytest.raises(RequestRejected) as caught:
        api.request("GET", "/connections")
    assert caught.value.status == 401


def test_4xx_raises_with_the_parsed_body_and_no_retry() -> None:
    api, session, _ = make([response(422, {"errors": {"origin_id": ["is owned by another integration"]}})])
    with pytest.raises(RequestRejected) as caught:
        api.request("PATCH", "/rest/v1.0/vendors/5", json={"vendor": {}}, idempotent=True)
    assert caught.value.body == {"errors": {"origin_id": ["is owned by another integration"]}}
    assert len(session.sent) == 1


def test_money_is_exact_both_ways() -> None:
    api, session, _ = make([response(200, text='{"Total": 1234.10, "Lines": [0.1, 7]}')])
    body = api.request("POST", "/api.xro/2.0/Invoices", json={"UnitAmount": Decimal("19.990")}).body
    assert body == {"Total": Decimal("1234.10"), "Lines": [Decimal("0.1"), 7]}
    assert session.sent[0].data == b'{"UnitAmount":19.990}'
    assert session.sent[0].headers["Content-Type"] == "application/json"


def test_links_to_another_host_are_refused() -> None:
    api, session, _ = make([])
    with pytest.raises(ClientError, match=r"refusing to send credentials to evil\.test"):
        api.request("GET", "https://evil.test/rest/v1.0/projects?page=2")
    assert session.sent == []
