"""Rate limits and faults over HTTP: headers, minute/daily/concurrent/app limits, Starter tier, faults."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sandbox.process import start_sandbox
from tests.integration.sandbox.xero_client import login


def test_headers_count_down(sandbox):
    session = login(sandbox)
    first = session.call("GET", "/Organisation")
    second = session.call("GET", "/Organisation")
    assert int(first.headers["X-MinLimit-Remaining"]) == 59
    assert int(second.headers["X-MinLimit-Remaining"]) == 58
    assert int(second.headers["X-DayLimit-Remaining"]) == 4998
    assert int(second.headers["X-AppMinLimit-Remaining"]) == 9998


def test_minute_limit_then_window_resets(sandbox):
    session = login(sandbox)
    sandbox.admin("xero", "POST", "limits", {"minute": 3})
    codes = [session.call("GET", "/Organisation").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    blocked = session.call("GET", "/Organisation")
    assert blocked.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 61})
    assert session.call("GET", "/Organisation").status_code == 200


def test_daily_limit_has_multi_hour_retry_after(sandbox):
    session = login(sandbox)
    sandbox.admin("xero", "POST", "limits", {"daily": 2, "tenant_id": session.tenant_id})
    assert [session.call("GET", "/Organisation").status_code for _ in range(2)] == [200, 200]
    blocked = session.call("GET", "/Organisation")
    assert blocked.status_code == 429 and blocked.headers["X-Rate-Limit-Problem"] == "daily"
    assert int(blocked.headers["Retry-After"]) > 3 * 3600
    other = login(sandbox, tenant_index=1)
    assert other.call("GET", "/Organisation").status_code == 200  # per tenant


def test_starter_tier_has_1000_per_day(sandbox):
    session = login(sandbox, tenant_index=1)
    answer = session.call("GET", "/Organisation")
    assert int(answer.headers["X-DayLimit-Remaining"]) == 999
    limits = sandbox.admin("xero", "GET", "limits")["tenants"]
    assert limits[session.tenant_id]["daily"] == 1000


def test_app_minute_limit(sandbox):
    session = login(sandbox)
    sandbox.admin("xero", "POST", "limits", {"app_minute": 1})
    assert session.call("GET", "/Organisation").status_code == 200
    blocked = login(sandbox, tenant_index=1).call("GET", "/Organisation")
    assert blocked.status_code == 429 and blocked.headers["X-Rate-Limit-Problem"] == "appminute"


def test_concurrent_limit_with_latency(tmp_path):
    """Six calls at once against a sandbox whose calls take 400 ms: five run, the sixth is refused."""
    server = start_sandbox(tmp_path / "latency.log", "--latency-ms", "400")
    try:
        session = login(server)
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda _: session.call("GET", "/Organisation"), range(6)))
    finally:
        server.stop()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 5 + [429]
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["X-Rate-Limit-Problem"] == "concurrent" and refused.headers["Retry-After"] == "1"


@pytest.mark.parametrize("kind,status", [("429", 429), ("503", 503), ("500", 500)])
def test_injected_error_faults(sandbox, kind, status):
    session = login(sandbox)
    sandbox.admin(
        "xero", "POST", "faults", {"kind": kind, "path": "/Contacts", "retry_after": 7, "problem": "daily"}
    )
    answer = session.call("GET", "/Contacts")
    assert answer.status_code == status
    if status in (429, 503):
        assert answer.headers["Retry-After"] == "7"
    if status == 429:
        assert answer.headers["X-Rate-Limit-Problem"] == "daily"
    if status == 500:
        assert answer.json()["ErrorNumber"] == 500
    assert session.call("GET", "/Contacts").status_code == 200


def test_drop_after_write_applies_the_write(sandbox):
    session = login(sandbox)
    sandbox.admin(
        "xero", "POST", "faults", {"kind": "drop_after_write", "path": "/Contacts", "method": "PUT"}
    )
    with pytest.raises(requests.ConnectionError):
        session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "Lost Answer Co"}]})
    found = session.call("GET", "/Contacts", params={"where": 'Name=="Lost Answer Co"'}).json()["Contacts"]
    assert len(found) == 1


def test_drop_and_timeout_write_nothing(sandbox):
    session = login(sandbox)
    sandbox.admin("xero", "POST", "faults", {"kind": "drop", "path": "/Contacts", "method": "PUT"})
    with pytest.raises(requests.ConnectionError):
        session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "Dropped Co"}]})
    sandbox.admin(
        "xero",
        "POST",
        "faults",
        {"kind": "timeout", "path": "/Contacts", "method": "PUT", "delay_seconds": 1.0},
    )
    with pytest.raises((requests.ConnectionError, requests.Timeout)):
        requests.put(
            f"{sandbox.xero_url}/api.xro/2.0/Contacts",
            json={"Contacts": [{"Name": "Timed Out Co"}]},
            headers=session.headers(),
            timeout=0.5,
        )
    for name in ("Dropped Co", "Timed Out Co"):
        assert session.call("GET", "/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"] == []
