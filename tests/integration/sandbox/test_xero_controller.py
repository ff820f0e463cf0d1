"""The controller's side over HTTP (``POST /_sandbox/controller``): payments, deletions, POs, spend money."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import requests

from sandbox.core.clock import SandboxClock
from sandbox.process import REPO_ROOT
from sandbox.xero.app import create_app
from sandbox.xero.service import XeroService
from tests.integration.sandbox.xero_client import XeroSession, login


def _control(sandbox, *actions: dict[str, Any], **extra: Any) -> requests.Response:
    return requests.post(
        f"{sandbox.xero_url}/_sandbox/controller", json={"actions": list(actions), **extra}, timeout=10
    )


def _results(sandbox, *actions: dict[str, Any]) -> list[dict[str, Any]]:
    answer = _control(sandbox, *actions)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def _bill(session: XeroSession, number: str, amount: float, contact: dict[str, Any]) -> dict[str, Any]:
    element = {
        "Type": "ACCPAY",
        "Contact": contact,
        "InvoiceNumber": number,
        "Status": "AUTHORISED",
        "Date": "2026-06-15",
        "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": amount, "AccountCode": "310"}],
    }
    answer = session.call("PUT", "/Invoices", json={"Invoices": [element]})
    assert answer.status_code == 200, answer.text
    return answer.json()["Invoices"][0]


def _get(session: XeroSession, path: str) -> dict[str, Any]:
    answer = session.call("GET", path)
    assert answer.status_code == 200, answer.text
    return next(v[0] for v in answer.json().values() if isinstance(v, list))


def _ms(msdate: str) -> int:
    return int(msdate[len("/Date(") :].split("+")[0].rstrip(")/"))


def _money(invoice: dict[str, Any]) -> tuple[float, float, str]:
    return invoice["AmountPaid"], invoice["AmountDue"], invoice["Status"]


def test_pay_in_part_then_in_full_to_the_cent(sandbox):
    session = login(sandbox)
    bill = _bill(session, "CTL-1", 1000.15, {"Name": "Acme Office Supply"})
    [half] = _results(
        sandbox,
        {
            "action": "pay",
            "invoice_ids": [bill["InvoiceID"]],
            "fraction": 0.5,
            "date": "2026-06-20",
            "reference": "half",
        },
    )[0]["payments"]
    assert (half["Amount"], half["AmountDue"], half["Status"]) == (500.08, 500.07, "AUTHORISED")
    payment = _get(session, f"/Payments/{half['PaymentID']}")
    assert (payment["Amount"], payment["Reference"], payment["Account"]["Code"]) == (500.08, "half", "090")
    assert payment["DateString"].startswith("2026-06-20")
    assert _money(_get(session, f"/Invoices/{bill['InvoiceID']}")) == (500.08, 500.07, "AUTHORISED")
    [rest] = _results(sandbox, {"action": "pay", "invoice_numbers": ["CTL-1"], "date": "2026-06-25"})[0][
        "payments"
    ]
    assert rest["Amount"] == 500.07
    paid = _get(session, f"/Invoices/{bill['InvoiceID']}")
    assert _money(paid) == (1000.15, 0.0, "PAID")
    assert paid["FullyPaidOnDate"] == "/Date(1782345600000+0000)/"  # 2026-06-25, the last payment's date
    assert _ms(paid["UpdatedDateUTC"]) > _ms(bill["UpdatedDateUTC"])


def test_delete_payment_reverts_the_invoice(sandbox):
    session = login(sandbox)
    bill = _bill(session, "CTL-2", 250.00, {"Name": "Acme Office Supply"})
    first = _results(sandbox, {"action": "pay", "invoice_ids": [bill["InvoiceID"]], "fraction": 0.3})
    second = _results(sandbox, {"action": "pay", "invoice_ids": [bill["InvoiceID"]]})
    assert first[0]["payments"][0]["Amount"] == 75.00 and second[0]["payments"][0]["Amount"] == 175.00
    payment_id = second[0]["payments"][0]["PaymentID"]
    [deleted] = _results(sandbox, {"action": "delete_payment", "payment_ids": [payment_id]})[0]["deleted"]
    assert (deleted["Amount"], deleted["AmountDue"], deleted["Status"]) == (175.00, 175.00, "AUTHORISED")
    assert _get(session, f"/Payments/{payment_id}")["Status"] == "DELETED"
    invoice = _get(session, f"/Invoices/{bill['InvoiceID']}")
    assert _money(invoice) == (75.00, 175.00, "AUTHORISED") and "FullyPaidOnDate" not in invoice
    again = _control(sandbox, {"action": "delete_payment", "payment_ids": [payment_id]})
    assert again.status_code == 400
    assert again.json()["detail"] == (
        "actions[0] (delete_payment): A validation exception occurred: This payment has already been deleted"
    )


def _share_of_integration_bills(sandbox, session: XeroSession, seed: int) -> list[str]:
    """Six bills of a contact with a ContactNumber (as the sync creates them); pay half of them."""
    contact = {"Name": "Synced Vendor LLC", "ContactNumber": "procore-vendor-42"}
    created = session.call("PUT", "/Contacts", json={"Contacts": [contact]})
    assert created.status_code == 200, created.text
    for n in range(6):
        _bill(session, f"SYNC-{n}", float(100 + n * Decimal("10.01")), {"ContactNumber": "procore-vendor-42"})
    action = {
        "action": "pay_share",
        "type": "ACCPAY",
        "share": 0.5,
        "fraction": 0.5,
        "seed": seed,
        "only_contact_numbers_present": True,
    }
    [result] = _results(sandbox, action)
    assert result["candidates"] == 6
    for payment in result["payments"]:
        total = 100 + int(payment["InvoiceNumber"].split("-")[1]) * Decimal("10.01")
        assert Decimal(str(payment["Amount"])) == (total / 2).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return [p["InvoiceNumber"] for p in result["payments"]]


def test_pay_share_is_deterministic(sandbox):
    first = _share_of_integration_bills(sandbox, login(sandbox), seed=7)
    sandbox.reset()
    second = _share_of_integration_bills(sandbox, login(sandbox), seed=7)
    assert len(first) == 3 and first == second
    sandbox.reset()
    seeded = {"action": "pay_share", "share": 0.1, "seed": 3}
    ids_once = [p["InvoiceID"] for p in _results(sandbox, seeded)[0]["payments"]]
    sandbox.reset()
    ids_twice = [p["InvoiceID"] for p in _results(sandbox, seeded)[0]["payments"]]
    assert ids_once == ids_twice and len(ids_once) > 0


def test_purchase_order_and_spend_money_are_visible_through_the_api(sandbox):
    session = login(sandbox)
    line = {"Description": "Rebar", "Quantity": 3, "UnitAmount": 33.33, "AccountCode": "311"}
    order = {"Contact": {"Name": "Acme Office Supply"}, "Date": "2026-06-01", "LineItems": [line]}
    spend = {
        "Contact": {"Name": "Acme Office Supply"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-06-02",
        "LineItems": [{**line, "Description": "Site fuel"}],
    }
    raised, spent = _results(
        sandbox,
        {"action": "raise_purchase_order", "purchase_order": order},
        {"action": "spend_money", "bank_transaction": spend},
    )
    po = _get(session, f"/PurchaseOrders/{raised['purchase_order']['PurchaseOrderID']}")
    assert (po["Total"], po["Status"], po["PurchaseOrderNumber"]) == (
        99.99,
        "DRAFT",
        raised["purchase_order"]["PurchaseOrderNumber"],
    )
    assert po["UpdatedDateUTC"].startswith("/Date(")
    bank = _get(session, f"/BankTransactions/{spent['bank_transaction']['BankTransactionID']}")
    assert (bank["Type"], bank["Total"], bank["Status"], bank["BankAccount"]["Code"]) == (
        "SPEND",
        99.99,
        "AUTHORISED",
        "090",
    )
    assert bank["UpdatedDateUTC"].startswith("/Date(")


def test_invalid_actions_are_refused_and_nothing_is_written(sandbox):
    session = login(sandbox)
    bill = _bill(session, "CTL-3", 80.00, {"Name": "Acme Office Supply"})
    unknown = _control(sandbox, {"action": "refund"})
    assert unknown.status_code == 400
    assert unknown.json()["detail"].startswith(
        "actions[0] (refund): unknown action 'refund': expected one of"
    )
    bad_po = {
        "Contact": {"Name": "Acme Office Supply"},
        "LineItems": [{"Description": "x", "AccountCode": "999"}],
    }
    refused = _control(
        sandbox,
        {"action": "pay", "invoice_ids": [bill["InvoiceID"]]},
        {"action": "raise_purchase_order", "purchase_order": bad_po},
    )
    assert refused.status_code == 400
    via_api = session.call("PUT", "/PurchaseOrders", json={"PurchaseOrders": [bad_po]}).json()
    api_messages = [e["Message"] for e in via_api["Elements"][0]["ValidationErrors"]]
    assert api_messages == ["Account code '999' is not a valid code for this document."]
    assert refused.json()["detail"] == (
        f"actions[1] (raise_purchase_order): A validation exception occurred: {api_messages[0]}"
    )
    assert refused.json()["Elements"][0]["ValidationErrors"] == via_api["Elements"][0]["ValidationErrors"]
    assert _money(_get(session, f"/Invoices/{bill['InvoiceID']}")) == (0.0, 80.00, "AUTHORISED")
    cases = [
        (
            {"action": "pay", "invoice_ids": [bill["InvoiceID"]], "fraction": 1.5},
            "'fraction' must be a number",
        ),
        ({"action": "pay", "invoice_numbers": ["NOPE-1"]}, "Invoice number 'NOPE-1' does not exist"),
        ({"action": "pay", "invoice_id": [bill["InvoiceID"]]}, "unknown key(s) invoice_id; 'pay' takes"),
        ({"action": "spend_money", "bank_transaction": {"Type": "RECEIVE"}}, "Type SPEND only"),
    ]
    for action, message in cases:
        answer = _control(sandbox, action)
        assert answer.status_code == 400 and message in answer.json()["detail"], answer.text
    assert _control(sandbox, {"action": "pay_share", "share": 0.1}, tenant_id="nope").json()["detail"] == (
        "unknown tenant_id 'nope'"
    )


def test_cli_posts_the_actions_file(sandbox, tmp_path: Path):
    session = login(sandbox)
    bill = _bill(session, "CTL-4", 42.42, {"Name": "Acme Office Supply"})
    actions = tmp_path / "actions.json"
    actions.write_text(json.dumps([{"action": "pay", "invoice_ids": [bill["InvoiceID"]]}]))
    command = [sys.executable, "-m", "sandbox", "controller", "--xero-url", sandbox.xero_url]
    done = subprocess.run([*command, "--actions", str(actions)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["payments"][0]["Amount"] == 42.42
    assert _money(_get(session, f"/Invoices/{bill['InvoiceID']}")) == (42.42, 0.0, "PAID")


def test_controller_route_answers_loopback_only():
    service = XeroService({"apps": [], "tenants": []}, SandboxClock(), spec_path=REPO_ROOT / "no-spec.yaml")
    transport = httpx.ASGITransport(app=create_app(service), client=("192.0.2.10", 40000))

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            return await client.post("/_sandbox/controller", json={"actions": []})

    answer = asyncio.run(post())
    assert answer.status_code == 403
    assert answer.json()["detail"] == "the sandbox admin endpoints answer on loopback only"


def test_enter_bill_writes_an_accpay_invoice_as_the_api_does(sandbox):
    session = login(sandbox)
    region = _get(session, "/TrackingCategories")
    east = next(o for o in region["Options"] if o["Name"] == "East")
    bill = {
        "Contact": {"Name": "Acme Office Supply"},
        "InvoiceNumber": "XB-1",
        "Status": "AUTHORISED",
        "Date": "2026-10-30",
        "DueDate": "2026-11-29",
        "CurrencyCode": "CAD",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "ItemCode": "REBAR-5",
                "AccountCode": "310",
                "Quantity": 3,
                "UnitAmount": 333.33,
                "Tracking": [{"Name": "Region", "Option": "East"}],
            },
            {"Description": "Delivery", "AccountCode": "310", "Quantity": 1, "UnitAmount": 0.02},
        ],
    }
    [entered] = _results(sandbox, {"action": "enter_bill", "invoice": bill})
    summary = entered["invoice"]
    assert (summary["InvoiceNumber"], summary["Status"], summary["Total"], summary["CurrencyCode"]) == (
        "XB-1",
        "AUTHORISED",
        1000.01,
        "CAD",
    )
    stored = _get(session, f"/Invoices/{summary['InvoiceID']}")
    assert (stored["Type"], stored["Total"], stored["AmountDue"], stored["CurrencyRate"]) == (
        "ACCPAY",
        1000.01,
        1000.01,
        1.35,
    )
    assert [line["LineAmount"] for line in stored["LineItems"]] == [999.99, 0.02]
    assert stored["LineItems"][0]["Item"]["Code"] == "REBAR-5"
    assert stored["LineItems"][0]["Tracking"][0]["TrackingOptionID"] == east["TrackingOptionID"]
    assert stored["DateString"].startswith("2026-10-30")

    again = _control(sandbox, {"action": "enter_bill", "invoice": bill})
    assert again.status_code == 200  # Xero takes a second bill with the same supplier number
    sale = _control(sandbox, {"action": "enter_bill", "invoice": {**bill, "Type": "ACCREC"}})
    assert sale.status_code == 400
    assert (
        sale.json()["detail"] == "actions[0] (enter_bill): enter_bill enters Type ACCPAY only (got 'ACCREC')"
    )
    numbered = session.call("GET", "/Invoices", params={"InvoiceNumbers": "XB-1"}).json()["Invoices"]
    second = again.json()["results"][0]["invoice"]["InvoiceID"]
    assert sorted(i["InvoiceID"] for i in numbered) == sorted([summary["InvoiceID"], second])
