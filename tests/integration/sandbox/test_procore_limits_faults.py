"""Procore rate limits and injected faults over HTTP: headers on every answer, 429s, 503/500, lost answers."""

from __future__ import annotations

import pytest
import requests

from tests.integration.sandbox.procore_api import V10, ProcoreApi


def test_every_answer_carries_rate_headers_for_the_closest_window(sandbox):
    api = ProcoreApi(sandbox)
    ok = api.get(f"{V10}/companies")
    now = sandbox.admin("procore", "GET", "clock")["epoch"]
    assert ok.headers["X-Rate-Limit-Limit"] == "100" and ok.headers["X-Rate-Limit-Remaining"] == "99"
    assert 0 < int(ok.headers["X-Rate-Limit-Reset"]) - now <= 11  # rounded up to whole seconds
    error = api.get(f"{V10}/cost_codes")  # 400, still counted and reported
    assert error.status_code == 400 and error.headers["X-Rate-Limit-Remaining"] == "98"
    sandbox.admin("procore", "POST", "limits", {"hourly": 5})
    hourly = api.get(f"{V10}/companies")
    assert hourly.headers["X-Rate-Limit-Limit"] == "5" and hourly.headers["X-Rate-Limit-Remaining"] == "2"
    assert int(hourly.headers["X-Rate-Limit-Reset"]) - now > 3000


def test_spike_window_throttles_then_recovers(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "limits", {"spike": 3, "spike_seconds": 10})
    statuses = [api.get(f"{V10}/companies").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = api.get(f"{V10}/companies")
    assert throttled.status_code == 429 and throttled.headers["X-Rate-Limit-Remaining"] == "0"
    assert throttled.headers["X-Rate-Limit-Limit"] == "3"
    other = ProcoreApi(sandbox, client_index=1)  # limits count per client
    assert other.get(f"{V10}/companies").status_code == 200
    sandbox.admin("procore", "POST", "clock", {"advance_seconds": 11})
    assert api.get(f"{V10}/companies").status_code == 200
    stats = sandbox.admin("procore", "GET", "stats")
    assert stats["throttled"] == {"GET /rest/v1.0/companies": 2}


def test_hourly_window_throttles_until_reset(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "limits", {"hourly": 4})
    assert sandbox.admin("procore", "GET", "limits")["hourly"] == 4
    assert [api.get(f"{V10}/companies").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    sandbox.admin("procore", "POST", "clock", {"advance_seconds": 60})
    assert api.get(f"{V10}/companies").status_code == 429  # not the spike window: still throttled
    sandbox.admin("procore", "POST", "clock", {"advance_seconds": 3600})
    assert api.get(f"{V10}/companies").status_code == 200
    sandbox.admin("procore", "POST", "reset")
    assert sandbox.admin("procore", "GET", "limits") == {
        "hourly": 3600,
        "spike": 100,
        "spike_seconds": 10.0,
        "hourly_seconds": 3600.0,
    }


def test_injected_429_503_500(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "faults", {"kind": "429", "path": "/vendors", "retry_after": 7})
    sandbox.admin("procore", "POST", "faults", {"kind": "503", "path": "/vendors", "retry_after": 3})
    sandbox.admin("procore", "POST", "faults", {"kind": "500", "path": "/vendors"})
    limited = api.get(f"{V10}/vendors")
    assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Remaining"] == "0"
    now = sandbox.admin("procore", "GET", "clock")["epoch"]
    assert 5 <= int(limited.headers["X-Rate-Limit-Reset"]) - now <= 8  # rounded up
    busy = api.get(f"{V10}/vendors")
    assert (
        busy.status_code == 503
        and busy.headers["Retry-After"] == "3"
        and "heavy load" in busy.json()["errors"]
    )
    broken = api.get(f"{V10}/vendors")
    assert broken.status_code == 500 and broken.json() == {"errors": "500 Internal Server Error"}
    assert api.get(f"{V10}/vendors").status_code == 200
    assert sandbox.admin("procore", "GET", "stats")["faults_fired"] == {"429": 1, "503": 1, "500": 1}


def test_timeout_and_drop_process_nothing(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "faults", {"kind": "timeout", "path": "/vendors", "delay_seconds": 0.5})
    with pytest.raises(requests.RequestException):
        api.call(
            "POST",
            f"{V10}/vendors",
            json={"company_id": api.company_id, "vendor": {"name": "Timed Out"}},
            timeout=0.2,
        )
    sandbox.admin("procore", "POST", "faults", {"kind": "drop", "path": "/vendors", "method": "POST"})
    with pytest.raises(requests.ConnectionError):
        api.call("POST", f"{V10}/vendors", json={"company_id": api.company_id, "vendor": {"name": "Dropped"}})
    names = {v["name"] for v in api.state()["vendors"]}
    assert "Timed Out" not in names and "Dropped" not in names


def test_drop_after_write_applies_the_write(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "faults", {"kind": "drop_after_write", "path": "/vendors/sync"})
    with pytest.raises(requests.ConnectionError):
        api.call(
            "PATCH",
            f"{V10}/vendors/sync",
            json={"company_id": api.company_id, "updates": [{"origin_id": "lost-1", "name": "Lost Answer"}]},
        )
    found = api.get(f"{V10}/vendors", **{"filters[origin_id]": "lost-1"}).json()
    assert [v["name"] for v in found] == ["Lost Answer"]
    retry = api.call(
        "PATCH",
        f"{V10}/vendors/sync",
        json={"company_id": api.company_id, "updates": [{"origin_id": "lost-1", "name": "Lost Answer"}]},
    )
    assert retry.json()["entities"][0]["id"] == found[0]["id"]  # the retry updates, never duplicates
