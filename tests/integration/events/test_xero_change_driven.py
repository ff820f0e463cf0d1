"""From a Xero change to staging: the sandbox's signed delivery through the real intake, then the consumer
reads exactly the named invoice (one ``GET /Invoices?IDs=…``, counted in the sandbox's request log) and
stages its new status and total; a repeated delivery is read once; a failed read leaves its deliveries to
the next run; an unknown organisation's event, a credit note's, or a malformed id reads nothing and is
dropped with a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import requests

from procore_xero.clients import XeroClient
from procore_xero.events.store import discard_unclaimed, pending_deliveries
from procore_xero.events.verify import xero_signature
from procore_xero.extract.account import extract_xero_account
from procore_xero.extract.feeds import XeroFeedSettings
from procore_xero.extract.xero_changes import read_xero_changes
from procore_xero.mapping.spec import load_spec
from procore_xero.staging import TaskTry
from sandbox.process import SandboxProcess
from tests.integration.events.conftest import XERO_KEY, Intake
from tests.integration.extract.conftest import staged_raw
from tests.integration.sandbox.xero_client import XeroSession, login

RUN = TaskTry("xero_extract", "xero-feeds-test", "extract")
FEEDS = XeroFeedSettings.from_feeds(load_spec().settings.feeds)


@pytest.fixture
def subscribed(sandbox: SandboxProcess, intake: Intake, make_xero: Callable[..., XeroClient]) -> XeroClient:
    """Contacts and invoices staged whole, and the sandbox's Xero app subscribed to the intake."""
    client = make_xero()
    extract_xero_account(client, intake.engine, task_try=RUN, object_types=["contacts", "invoices"])
    answer = sandbox.admin("xero", "POST", "webhooks", {"url": f"{intake.url}/xero", "key": XERO_KEY})
    assert answer["status"] == "OK"
    return client


def api_requests(sandbox: SandboxProcess) -> list[tuple[str, str, dict[str, str]]]:
    """The accounting API calls the sandbox received (not the token endpoint): method, path, query."""
    log = sandbox.admin("xero", "GET", "requests")["requests"]
    return [(r["method"], r["path"], dict(r["query"])) for r in log if r["path"].startswith("/api.xro/")]


def a_draft_invoice(session: XeroSession) -> dict[str, Any]:
    answer = session.call("GET", "/Invoices", params={"Statuses": "DRAFT", "page": 1, "unitdp": 4})
    assert answer.status_code == 200, answer.text
    return next(i for i in answer.json()["Invoices"] if i["LineItems"])


def approve_with_one_more(session: XeroSession, invoice: dict[str, Any]) -> dict[str, Any]:
    """Authorise the draft with its first line's quantity one higher: a new status and a new total."""
    lines = [
        {k: v for k, v in line.items() if k not in ("LineAmount", "TaxAmount")}
        for line in invoice["LineItems"]
    ]
    lines[0]["Quantity"] += 1
    body = {"Status": "AUTHORISED", "LineItems": lines}
    answer = session.call("POST", f"/Invoices/{invoice['InvoiceID']}", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["Invoices"][0]


def test_a_changed_invoice_is_read_alone_and_staged_to_the_cent(
    sandbox: SandboxProcess, intake: Intake, subscribed: XeroClient
) -> None:
    session = login(sandbox)
    draft = a_draft_invoice(session)
    changed = approve_with_one_more(session, draft)
    assert Decimal(str(changed["Total"])) != Decimal(str(draft["Total"]))
    sandbox.admin("xero", "POST", "webhooks/deliver")
    rows = intake.wait_for_rows(1)
    assert [(r["resource_name"], r["resource_id"], r["event_type"]) for r in rows] == [
        ("INVOICE", draft["InvoiceID"], "update")
    ]

    sandbox.admin("xero", "DELETE", "requests")
    summary = read_xero_changes(subscribed, intake.engine, FEEDS, task_try=RUN)
    assert api_requests(sandbox) == [
        (
            "GET",
            "/api.xro/2.0/Invoices",
            {"unitdp": "4", "IDs": draft["InvoiceID"], "page": "1", "pageSize": "1000"},
        )
    ]
    assert summary == {
        "deliveries": 1,
        "reads": 1,
        "ignored": 0,
        "records_read": 1,
        "not_found": 0,
        "api_calls": 1,
    }
    staged = staged_raw(intake.engine, "xero", "invoices", draft["InvoiceID"])
    assert staged["Status"] == "AUTHORISED"
    assert Decimal(str(staged["Total"])) == Decimal(str(changed["Total"]))
    assert pending_deliveries(intake.engine, "xero", subscribed.tenant_id) == []

    sandbox.admin("xero", "DELETE", "requests")
    again = read_xero_changes(subscribed, intake.engine, FEEDS, task_try=RUN)
    assert (again["deliveries"], again["api_calls"], api_requests(sandbox)) == (0, 0, [])


def test_a_repeated_delivery_is_read_once_and_a_failed_read_waits(
    sandbox: SandboxProcess, intake: Intake, subscribed: XeroClient
) -> None:
    session = login(sandbox)
    invoice = a_draft_invoice(session)
    sandbox.admin("xero", "POST", "faults", {"kind": "repeat", "path": "/webhooks/deliver/INVOICE"})
    edit = session.call("POST", f"/Invoices/{invoice['InvoiceID']}", json={"Status": "AUTHORISED"})
    assert edit.status_code == 200, edit.text
    sandbox.admin("xero", "POST", "webhooks/deliver")
    assert [(s["status"], s["events"]) for s in sandbox.admin("xero", "GET", "webhooks")["sent"]][-1] == (
        200,
        2,
    )
    assert len(intake.wait_for_rows(1)) == 1

    failures = {"kind": "500", "path": "/Invoices$", "method": "GET", "count": 4}  # every retry of the read
    sandbox.admin("xero", "POST", "faults", failures)
    with pytest.raises(Exception, match="500"):
        read_xero_changes(subscribed, intake.engine, FEEDS, task_try=RUN)
    assert len(pending_deliveries(intake.engine, "xero", subscribed.tenant_id)) == 1  # kept, not lost

    sandbox.admin("xero", "DELETE", "requests")
    summary = read_xero_changes(subscribed, intake.engine, FEEDS, task_try=RUN)
    assert (summary["deliveries"], summary["api_calls"], len(api_requests(sandbox))) == (1, 1, 1)
    assert staged_raw(intake.engine, "xero", "invoices", invoice["InvoiceID"])["Status"] == "AUTHORISED"
    assert pending_deliveries(intake.engine, "xero", subscribed.tenant_id) == []


def xero_event(tenant_id: str, category: str, resource_id: str) -> dict[str, str]:
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/{category.title()}s/{resource_id}",
        "resourceId": resource_id,
        "eventDateUtc": "2026-12-05T10:00:00.000",
        "eventType": "UPDATE",
        "eventCategory": category,
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
    }


def test_what_names_nothing_we_read_is_logged_and_dropped_unread(
    sandbox: SandboxProcess, intake: Intake, subscribed: XeroClient, caplog: pytest.LogCaptureFixture
) -> None:
    """An organisation no tenant pairs with, a category the sync does not extract (credit notes), and a
    resourceId that is not the published uuid (it would go into the IDs query): no call, each logged."""
    stranger, ours = "9e1c2f40-0000-4000-8000-00000000beef", subscribed.tenant_id
    events = [
        xero_event(stranger, "INVOICE", "5b8c1a2e-0000-4000-8000-000000000001"),
        xero_event(ours, "CREDITNOTE", "5b8c1a2e-0000-4000-8000-000000000002"),
        xero_event(ours, "INVOICE", "5b8c1a2e-0000-4000-8000-000000000003,other"),
    ]
    body = json.dumps({"events": events, "firstEventSequence": 1, "lastEventSequence": 3, "entropy": "A"})
    headers = {"x-xero-signature": xero_signature(XERO_KEY, body.encode())}
    stored = requests.post(f"{intake.url}/xero", data=body, headers=headers, timeout=5)
    assert (stored.status_code, stored.json()) == (200, {"stored": 3, "duplicates": 0})

    sandbox.admin("xero", "DELETE", "requests")
    with caplog.at_level(logging.WARNING):
        summary = read_xero_changes(subscribed, intake.engine, FEEDS, task_try=RUN)
        assert (summary["deliveries"], summary["ignored"], summary["api_calls"]) == (2, 2, 0)
        assert discard_unclaimed(intake.engine, "xero", [ours]) == 1
    assert "(CREDITNOTE 5b8c1a2e-0000-4000-8000-000000000002) names nothing this sync reads" in caplog.text
    assert "000000000003,other) names nothing this sync reads" in caplog.text
    assert f"account {stranger}, which no tenant pairs with" in caplog.text
    assert api_requests(sandbox) == []
    assert pending_deliveries(intake.engine, "xero", stranger) == []
    assert pending_deliveries(intake.engine, "xero", ours) == []
    assert discard_unclaimed(intake.engine, "xero", [ours]) == 0
