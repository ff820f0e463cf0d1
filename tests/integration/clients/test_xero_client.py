"""XeroClient over real HTTP against the Xero emulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from procore_xero.clients import DailyLimitReached, ServiceUnavailable, XeroClient
from sandbox.process import SandboxProcess
from tests.integration.conftest import SandboxTime


def stats(sandbox: SandboxProcess) -> dict:
    return sandbox.admin("xero", "GET", "stats")


def test_contacts_page_until_a_short_page_and_calls_match_the_sandbox(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient]
) -> None:
    client = make_xero(page_size=50)
    pages = list(client.pages("Contacts"))
    total = sum(len(p) for p in pages)
    assert [len(p) for p in pages[:-1]] == [50] * (len(pages) - 1) and 0 < len(pages[-1]) < 50
    assert len({c["ContactID"] for p in pages for c in p}) == total
    assert (
        stats(sandbox)["calls"]["GET /api.xro/2.0/Contacts"]
        == client.calls["GET /api.xro/2.0/Contacts"]
        == len(pages)
    )
    future = datetime.now(UTC) + timedelta(days=3650)
    assert list(client.pages("Contacts", modified_since=future)) == [[]]


def test_minute_limit_is_paced_without_a_single_429(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], sandbox_time: SandboxTime
) -> None:
    sandbox.admin("xero", "POST", "limits", {"minute": 10})
    client = make_xero(page_size=10)
    pages = list(client.pages("Invoices"))
    assert len(pages) > 10  # more calls than one minute allows
    assert stats(sandbox)["throttled_total"] == 0
    assert client.api.throttle.waited_seconds >= 60


def test_daily_limit_stops_with_the_page_to_resume_from(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], xero_creds: dict, sandbox_time: SandboxTime
) -> None:
    tenant = xero_creds["tenants"][0]["tenant_id"]
    sandbox.admin("xero", "POST", "limits", {"tenant_id": tenant, "daily": 2})
    client = make_xero(page_size=50)
    fetched = []
    with pytest.raises(DailyLimitReached) as caught:
        for page in client.pages("Invoices"):
            fetched.extend(page)
    error = caught.value
    assert (error.limit, error.page, len(fetched)) == ("daily", 3, 100)
    hours_left = (error.resets_at - datetime.fromtimestamp(sandbox_time.clock(), UTC)).total_seconds() / 3600
    assert 23 < hours_left <= 24.1
    assert sandbox_time.sleeps == []  # did not sleep on it
    sandbox_time.advance(86400)  # the next day: resume where it stopped
    fetched.extend(item for page in client.pages("Invoices", start_page=error.page) for item in page)
    invoices = sandbox.admin("xero", "GET", "state")["tenants"][tenant]["Invoices"]
    assert sorted(i["InvoiceID"] for i in fetched) == sorted(i["InvoiceID"] for i in invoices)


def test_batched_put_gives_per_element_results(
    make_xero: Callable[..., XeroClient], sandbox: SandboxProcess
) -> None:
    client = make_xero()
    elements = [{"Name": f"Batch Vendor {n}", "ContactNumber": f"PC-V-{n}"} for n in range(60)]
    elements[55] = {"Name": "", "ContactNumber": "PC-V-55"}
    results = client.save("Contacts", elements)
    assert [r.index for r in results] == list(range(60))
    assert [r.index for r in results if not r.ok] == [55]
    assert results[55].errors and results[0].element["ContactID"]
    put = "PUT /api.xro/2.0/Contacts"
    assert stats(sandbox)["calls"][put] == client.calls[put] == 2


def test_lost_answer_to_an_idempotent_write_is_resent_and_applied_once(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient]
) -> None:
    client = make_xero()
    sandbox.admin(
        "xero", "POST", "faults", {"kind": "drop_after_write", "path": "/Contacts$", "method": "PUT"}
    )
    results = client.save("Contacts", [{"Name": "Once Only Ltd"}], idempotency_key="run-1:contacts")
    assert [r.status for r in results] == ["OK"]
    names = [c["Name"] for page in client.pages("Contacts") for c in page]
    assert names.count("Once Only Ltd") == 1
    seen = stats(sandbox)
    assert client.calls["PUT /api.xro/2.0/Contacts"] == 2 and seen["faults_fired"] == {"drop_after_write": 1}
    # the emulator does not always count a dropped call in its stats (reported); the answered one it does
    assert seen["calls"]["PUT /api.xro/2.0/Contacts"] in (1, 2) and seen["statuses"]["200"] >= 2

    sandbox.admin(
        "xero", "POST", "faults", {"kind": "drop_after_write", "path": "/Contacts$", "method": "PUT"}
    )
    with pytest.raises(ServiceUnavailable) as caught:  # no key: not retried, and said to be maybe applied
        client.save("Contacts", [{"Name": "No Key Ltd"}])
    assert caught.value.maybe_applied and caught.value.attempts == 1


def test_5xx_on_reads_is_retried(sandbox: SandboxProcess, make_xero: Callable[..., XeroClient]) -> None:
    sandbox.admin("xero", "POST", "faults", {"kind": "500", "path": "/Items$", "count": 2})
    client = make_xero()
    items = client.get("Items")["Items"]
    assert items
    assert stats(sandbox)["calls"]["GET /api.xro/2.0/Items"] == client.calls["GET /api.xro/2.0/Items"] == 3
