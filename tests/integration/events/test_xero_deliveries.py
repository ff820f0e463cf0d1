"""Xero's emulator: intent-to-receive against the real intake, signed deliveries of contact events stored
once, a wrongly signed delivery refused and nothing stored."""

from __future__ import annotations

import json

import requests

from procore_xero.events.verify import xero_signature
from sandbox.process import SandboxProcess
from tests.integration.events.conftest import XERO_KEY, Intake
from tests.integration.sandbox.xero_client import login


def test_intent_to_receive_needs_the_right_key(sandbox: SandboxProcess, intake: Intake) -> None:
    wrong = sandbox.admin("xero", "POST", "webhooks", {"url": f"{intake.url}/xero", "key": "another-key"})
    assert wrong["status"] == "INTENT_TO_RECEIVE_FAILED"
    right = sandbox.admin("xero", "POST", "webhooks", {"url": f"{intake.url}/xero", "key": XERO_KEY})
    assert right["status"] == "OK"
    assert intake.rows() == []  # intent-to-receive payloads carry no events


def test_a_repeated_contact_event_is_stored_once(sandbox: SandboxProcess, intake: Intake) -> None:
    sandbox.admin("xero", "POST", "webhooks", {"url": f"{intake.url}/xero", "key": XERO_KEY})
    sandbox.admin("xero", "POST", "faults", {"kind": "repeat", "path": "/webhooks/deliver/CONTACT"})
    session = login(sandbox)
    answer = session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "Webhook Test Pty"}]})
    assert answer.status_code == 200, answer.text
    contact_id = answer.json()["Contacts"][0]["ContactID"]
    sandbox.admin("xero", "POST", "webhooks/deliver")
    rows = intake.wait_for_rows(1)
    assert [(r["source"], r["resource_name"], r["resource_id"], r["event_type"]) for r in rows] == [
        ("xero", "CONTACT", contact_id, "create")
    ]
    assert rows[0]["account"] == session.tenant_id
    sent = sandbox.admin("xero", "GET", "webhooks")["sent"]
    assert [(s["status"], s["events"]) for s in sent] == [(200, 2)]


def test_a_tampered_delivery_is_refused(intake: Intake) -> None:
    event = {
        "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/1",
        "resourceId": "1",
        "eventDateUtc": "2026-12-05T10:00:00.000",
        "eventType": "UPDATE",
        "eventCategory": "INVOICE",
        "tenantId": "t",
        "tenantType": "ORGANISATION",
    }
    body = json.dumps({"events": [event], "firstEventSequence": 1, "lastEventSequence": 1, "entropy": "x"})
    signature = xero_signature(XERO_KEY, body.encode())
    tampered = body.replace('"1"', '"2"', 1)
    refused = requests.post(
        f"{intake.url}/xero", data=tampered, headers={"x-xero-signature": signature}, timeout=5
    )
    unsigned = requests.post(f"{intake.url}/xero", data=body, timeout=5)
    assert (refused.status_code, unsigned.status_code) == (401, 401)
    assert "x-xero-signature" in refused.json()["error"]
    assert intake.rows() == []
    accepted = requests.post(
        f"{intake.url}/xero", data=body, headers={"x-xero-signature": signature}, timeout=5
    )
    assert (accepted.status_code, accepted.json()) == (200, {"stored": 1, "duplicates": 0})
    assert [r["resource_id"] for r in intake.rows()] == ["1"]
