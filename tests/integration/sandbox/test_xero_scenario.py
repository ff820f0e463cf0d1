"""The month-end scenario (``sandbox.scenario``) on a state shaped like the one a sync run leaves in Xero."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests

from sandbox.scenario import NEW_PAYEES, ScenarioError, run_month_end
from tests.integration.sandbox.xero_client import XeroSession, login

OPTIONS = ("25-101 - Phoenix Medical Office", "25-103 - Vancouver Hotel", "26-104 - Denver Clinic")
CAD_OPTION = OPTIONS[1]
CODES_BY_OPTION = {OPTIONS[0]: ["03-300-L", "03-300-M"], OPTIONS[1]: ["09-600-S"], OPTIONS[2]: ["03-300-M"]}
SYNC_BILLS = 40  # the 10 % partial share needs at least 3 bills left after the 25 % paid in full
CENT = Decimal("0.01")


def _ok(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    return answer.json()


def _q(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def _d(value: float) -> Decimal:
    return Decimal(str(value))


def _sync_like_state(session: XeroSession, count: int = SYNC_BILLS) -> dict[str, Decimal]:
    """What the sync leaves: a Project category, cost-code items, numbered vendors, their bills (totals)."""
    category = _ok(session.call("PUT", "/TrackingCategories", json={"Name": "Project"}))
    category_id = category["TrackingCategories"][0]["TrackingCategoryID"]
    _ok(
        session.call(
            "PUT",
            f"/TrackingCategories/{category_id}/Options",
            json={"Options": [{"Name": name} for name in OPTIONS]},
        )
    )
    items = [
        {"Code": code, "Name": f"Cost {code}", "PurchaseDetails": {"AccountCode": "310"}}
        for code in ("03-300-L", "03-300-M", "09-600-S")
    ]
    items.append({"Code": "RETAINAGE", "Name": "Retainage", "PurchaseDetails": {"AccountCode": "820"}})
    _ok(session.call("PUT", "/Items", json={"Items": items}))
    vendors = [{"Name": f"Synced Vendor {n}", "ContactNumber": f"56294995300{n}"} for n in range(4)]
    _ok(session.call("PUT", "/Contacts", json={"Contacts": vendors}))
    totals: dict[str, Decimal] = {}
    bills = []
    for n in range(count):
        option = OPTIONS[n % 3]
        codes = CODES_BY_OPTION[option]
        amount = Decimal("1000.00") + n * Decimal("123.47")
        retainage = _q(amount / 10)
        number = f"{option[:6]}-SC-{n:03d}-1"
        totals[number] = amount - retainage
        tracking = [{"Name": "Project", "Option": option}]
        bills.append(
            {
                "Type": "ACCPAY",
                "Contact": {"ContactNumber": vendors[n % 4]["ContactNumber"]},
                "InvoiceNumber": number,
                "Status": "AUTHORISED",
                "Date": "2026-10-01",
                "DueDate": "2026-10-31",
                "LineAmountTypes": "NoTax",
                "CurrencyCode": "CAD" if option == CAD_OPTION else "USD",
                "LineItems": [
                    {
                        "ItemCode": codes[n % len(codes)],
                        "AccountCode": "310",
                        "Quantity": 1,
                        "UnitAmount": float(amount),
                        "Tracking": tracking,
                    },
                    {
                        "ItemCode": "RETAINAGE",
                        "AccountCode": "820",
                        "Quantity": 1,
                        "UnitAmount": float(-retainage),
                        "Tracking": tracking,
                    },
                ],
            }
        )
    created = _ok(session.call("PUT", "/Invoices", json={"Invoices": bills}))["Invoices"]
    assert [_d(i["Total"]) for i in created] == list(totals.values())
    return totals


def _get(session: XeroSession, path: str) -> dict[str, Any]:
    return next(v[0] for v in _ok(session.call("GET", path)).values() if isinstance(v, list))


def _xero_state(sandbox) -> dict[str, Any]:
    return next(iter(sandbox.admin("xero", "GET", "state")["tenants"].values()))


def _amounts(record: Any) -> list[Any]:
    """Every money value in the record (Amount, AmountDue, Total, UnitAmount), at any depth."""
    if isinstance(record, list):
        return [a for value in record for a in _amounts(value)]
    if not isinstance(record, dict):
        return []
    own = [v for k, v in record.items() if k in ("Amount", "AmountDue", "Total", "UnitAmount")]
    return own + [a for value in record.values() for a in _amounts(value)]


def _line_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((line["Quantity"] * _d(line["UnitAmount"]) for line in lines), Decimal(0))


def _tracked_to(document: dict[str, Any]) -> set[str]:
    return {t["Option"] for line in document["LineItems"] for t in line["Tracking"] if t["Name"] == "Project"}


def test_month_end_payments_on_the_sync_bills(sandbox):
    session = login(sandbox)
    totals = _sync_like_state(session)
    payments_before = len(_xero_state(sandbox)["Payments"])
    record = run_month_end(sandbox.xero_url, seed=5)
    assert record["options"] == list(OPTIONS) and record["cad_option"] == CAD_OPTION
    paid = record["payments"]
    assert (paid["paid_in_full"]["candidates"], len(paid["paid_in_full"]["payments"])) == (40, 10)
    assert (paid["partial"]["candidates"], len(paid["partial"]["payments"])) == (30, 3)
    assert len(paid["second_part"]["payments"]) == 2
    for step in ("paid_in_full", "partial", "second_part"):
        assert paid[step]["reference"].startswith("CHK ") and len(paid[step]["reference"]) == 9
    for payment in paid["paid_in_full"]["payments"]:
        total = totals[payment["InvoiceNumber"]]
        assert (_d(payment["Amount"]), payment["AmountDue"], payment["Status"]) == (total, 0.0, "PAID")
    first_part = {p["InvoiceID"]: p for p in paid["partial"]["payments"]}
    for payment in first_part.values():
        total = totals[payment["InvoiceNumber"]]
        assert _d(payment["Amount"]) == _q(total * Decimal("0.4"))
        assert _d(payment["AmountDue"]) == total - _q(total * Decimal("0.4"))
    for payment in paid["second_part"]["payments"]:
        total, before = totals[payment["InvoiceNumber"]], _d(first_part[payment["InvoiceID"]]["AmountDue"])
        assert _d(payment["Amount"]) == _q(before / 2)
        invoice = _get(session, f"/Invoices/{payment['InvoiceID']}")
        assert len(invoice["Payments"]) == 2 and invoice["Status"] == "AUTHORISED"
        assert _d(invoice["AmountPaid"]) == _q(total * Decimal("0.4")) + _q(before / 2)
        assert _d(invoice["AmountDue"]) == total - _d(invoice["AmountPaid"])

    deleted = paid["deleted"]
    twice = {p["InvoiceID"] for p in paid["second_part"]["payments"]}
    assert deleted["InvoiceID"] in set(first_part) - twice
    assert deleted["PaymentID"] == first_part[deleted["InvoiceID"]]["PaymentID"]
    total = totals[first_part[deleted["InvoiceID"]]["InvoiceNumber"]]
    assert (_d(deleted["AmountDue"]), deleted["Status"]) == (total, "AUTHORISED")
    assert _get(session, f"/Payments/{deleted['PaymentID']}")["Status"] == "DELETED"
    reverted = _get(session, f"/Invoices/{deleted['InvoiceID']}")
    assert (reverted["AmountPaid"], _d(reverted["AmountDue"]), reverted["Status"]) == (
        0.0,
        total,
        "AUTHORISED",
    )

    payments = _xero_state(sandbox)["Payments"]
    assert len(payments) - payments_before == 15
    assert Counter(p["Status"] for p in payments[payments_before:]) == {"AUTHORISED": 14, "DELETED": 1}
    assert all(_d(a) == _d(a).quantize(CENT) for a in _amounts(record)) and len(_amounts(record)) > 60


def test_month_end_bills_spend_money_and_purchase_orders(sandbox):
    session = login(sandbox)
    _sync_like_state(session)
    record = run_month_end(sandbox.xero_url, seed=5)
    near = record["near_duplicate"]
    assert (near["Name"], near["similar"]) == ("ACME Concrete, LLC", ["Acme Concrete LLC"])

    bills = record["bills"]
    assert [b["InvoiceNumber"] for b in bills] == [f"XB-{n}" for n in range(1001, 1007)]
    assert Counter(b["role"] for b in bills) == {"cad": 1, "near_duplicate": 1, "plain": 4}
    assert len({b["contact"] for b in bills}) == 6
    assert next(b["contact"] for b in bills if b["role"] == "near_duplicate") == "ACME Concrete, LLC"
    for bill in bills:
        stored = _get(session, f"/Invoices/{bill['InvoiceID']}")
        contact = _get(session, f"/Contacts/{stored['Contact']['ContactID']}")
        assert (stored["Type"], stored["Status"], contact["Name"]) == (
            "ACCPAY",
            "AUTHORISED",
            bill["contact"],
        )
        assert not contact.get("ContactNumber")
        currency = "CAD" if bill["role"] == "cad" else "USD"
        assert stored["CurrencyCode"] == bill["CurrencyCode"] == currency
        assert _d(stored["Total"]) == _d(bill["Total"]) == _line_total(bill["lines"])
        assert _tracked_to(stored) == {bill["option"]} and 1 <= len(bill["lines"]) <= 3
        assert all(line["AccountCode"] == "310" for line in stored["LineItems"])
        assert {line["ItemCode"] for line in bill["lines"]} <= set(CODES_BY_OPTION[bill["option"]])
    assert next(b["option"] for b in bills if b["role"] == "cad") == CAD_OPTION
    assert all(b["option"] != CAD_OPTION for b in bills if b["role"] != "cad")

    spent = record["spend_money"]
    assert Counter(s["role"] for s in spent) == {
        "item": 7,
        "cad": 1,
        "lookup_account": 1,
        "unmapped_account": 1,
    }
    assert sorted(s["contact"] for s in spent if s["new_contact"]) == sorted(NEW_PAYEES)
    for spend in spent:
        stored = _get(session, f"/BankTransactions/{spend['BankTransactionID']}")
        assert (stored["Type"], stored["Status"], stored["BankAccount"]["Code"]) == (
            "SPEND",
            "AUTHORISED",
            "090",
        )
        assert (stored["CurrencyCode"], stored["Reference"]) == (spend["CurrencyCode"], spend["Reference"])
        assert _d(stored["Total"]) == _d(spend["Total"]) == _line_total(spend["lines"])
        assert _tracked_to(stored) == {spend["option"]} and spend["Reference"].startswith("DEBIT ")
    by_role = {s["role"]: s for s in spent}
    assert (by_role["cad"]["CurrencyCode"], by_role["cad"]["option"]) == ("CAD", CAD_OPTION)
    assert [(line["ItemCode"], line["AccountCode"]) for line in by_role["lookup_account"]["lines"]] == [
        (None, "429")
    ]
    assert [(line["ItemCode"], line["AccountCode"]) for line in by_role["unmapped_account"]["lines"]] == [
        (None, "404")
    ]
    for name in NEW_PAYEES:
        found = _ok(session.call("GET", "/Contacts", params={"where": f'Name=="{name}"'}))["Contacts"]
        assert [(c["Name"], c.get("ContactNumber")) for c in found] == [(name, None)]

    orders = record["purchase_orders"]
    assert list(orders) == ["within", "over", "unmapped"]
    assert Decimal(1000) <= _d(orders["within"]["Total"]) <= Decimal(3000)
    assert (orders["over"]["Total"], len(orders["over"]["item_codes"])) == (5000000.00, 1)
    assert orders["unmapped"]["item_codes"] == [] and orders["unmapped"]["lines"][0]["AccountCode"] == "404"
    for order in orders.values():
        stored = _get(session, f"/PurchaseOrders/{order['PurchaseOrderID']}")
        assert (stored["Status"], stored["PurchaseOrderNumber"]) == (
            "AUTHORISED",
            order["PurchaseOrderNumber"],
        )
        assert _d(stored["Total"]) == _d(order["Total"]) == _line_total(order["lines"])
        assert _tracked_to(stored) == {order["option"]} and order["option"] != CAD_OPTION
        assert set(order["item_codes"]) <= set(CODES_BY_OPTION[order["option"]])


def _without_ids_and_dates(record: Any) -> Any:
    """The record's choices and amounts: ids are new per run, dates follow the sandbox clock."""
    if isinstance(record, list):
        return [_without_ids_and_dates(v) for v in record]
    if isinstance(record, dict):
        return {
            k: _without_ids_and_dates(v) for k, v in record.items() if not k.endswith("ID") and k != "date"
        }
    return record


def test_month_end_is_deterministic(sandbox):
    _sync_like_state(login(sandbox))
    first = run_month_end(sandbox.xero_url, seed=7)
    sandbox.reset()
    _sync_like_state(login(sandbox))
    second = run_month_end(sandbox.xero_url, seed=7)
    assert _without_ids_and_dates(first) == _without_ids_and_dates(second)
    assert [p["InvoiceNumber"] for p in first["payments"]["paid_in_full"]["payments"]] == [
        p["InvoiceNumber"] for p in second["payments"]["paid_in_full"]["payments"]
    ]
    sandbox.reset()
    _sync_like_state(login(sandbox))
    other = run_month_end(sandbox.xero_url, seed=8)
    assert _without_ids_and_dates(other)["payments"] != _without_ids_and_dates(first)["payments"]


def test_month_end_needs_the_project_category(sandbox):
    payments_before = len(_xero_state(sandbox)["Payments"])
    with pytest.raises(
        ScenarioError, match="no active tracking category 'Project'; run the Procore -> Xero sync"
    ):
        run_month_end(sandbox.xero_url)
    command = [sys.executable, "-m", "sandbox", "controller", "--xero-url", sandbox.xero_url]
    done = subprocess.run([*command, "--scenario", "month-end"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert "no active tracking category 'Project'" in done.stderr
    assert len(_xero_state(sandbox)["Payments"]) == payments_before


def test_month_end_checks_there_are_enough_bills_before_paying_any(sandbox):
    _sync_like_state(login(sandbox), count=10)  # 3 paid in full (round(2.5) half up), then 7 × 0.10 -> 1
    payments_before = len(_xero_state(sandbox)["Payments"])
    with pytest.raises(ScenarioError) as refused:
        run_month_end(sandbox.xero_url)
    assert str(refused.value) == (
        "month-end payments: needs at least 3 partially paid bills; 10 sync bills with something due give 1"
    )
    assert len(_xero_state(sandbox)["Payments"]) == payments_before


def test_cli_prints_the_record(sandbox):
    _sync_like_state(login(sandbox))
    command = [sys.executable, "-m", "sandbox", "controller", "--xero-url", sandbox.xero_url]
    done = subprocess.run(
        [*command, "--scenario", "month-end", "--seed", "3"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert (record["scenario"], record["seed"], len(record["bills"]), len(record["spend_money"])) == (
        "month-end",
        3,
        6,
        10,
    )
