"""Payments and Profit and Loss over HTTP: amounts paid down and reverted, tracking-filtered figures."""

from __future__ import annotations

from tests.integration.sandbox.xero_client import login


def _authorised_bill(session, number: str, amount: float, tracking=None):
    line = {
        "Description": "Work",
        "Quantity": 2,
        "UnitAmount": amount / 2,
        "AccountCode": "310",
        "Tracking": tracking or [],
    }
    answer = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                {
                    "Type": "ACCPAY",
                    "Contact": {"Name": "Acme Office Supply"},
                    "InvoiceNumber": number,
                    "Status": "AUTHORISED",
                    "Date": "2026-06-15",
                    "LineItems": [line],
                }
            ]
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["Invoices"][0]


def _pay(session, invoice_id: str, amount: float):
    return session.call(
        "PUT",
        "/Payments",
        json={
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice_id},
                    "Account": {"Code": "090"},
                    "Amount": amount,
                    "Date": "2026-06-20",
                }
            ]
        },
    )


def test_payments_pay_down_and_deletion_reverts(sandbox):
    session = login(sandbox)
    bill = _authorised_bill(session, "PAY-1", 1000.10)
    part = _pay(session, bill["InvoiceID"], 400.05)
    assert part.status_code == 200
    payment = part.json()["Payments"][0]
    assert payment["PaymentType"] == "ACCPAYPAYMENT" and payment["Amount"] == 400.05
    invoice = session.call("GET", f"/Invoices/{bill['InvoiceID']}").json()["Invoices"][0]
    assert (invoice["AmountPaid"], invoice["AmountDue"], invoice["Status"]) == (400.05, 600.05, "AUTHORISED")
    too_much = _pay(session, bill["InvoiceID"], 600.06)
    assert too_much.status_code == 400
    assert (
        "exceeds the amount outstanding" in too_much.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )
    rest = _pay(session, bill["InvoiceID"], 600.05).json()["Payments"][0]
    paid = session.call("GET", f"/Invoices/{bill['InvoiceID']}").json()["Invoices"][0]
    assert (paid["AmountDue"], paid["Status"], len(paid["Payments"])) == (0.0, "PAID", 2)
    assert paid["FullyPaidOnDate"].startswith("/Date(")
    edit = session.call("POST", f"/Invoices/{bill['InvoiceID']}", json={"Reference": "x"})
    assert edit.status_code == 400
    assert edit.json()["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "This document cannot be edited as it has a payment or credit note allocated to it."
    )
    deleted = session.call("POST", f"/Payments/{rest['PaymentID']}", json={"Status": "DELETED"})
    assert deleted.status_code == 200 and deleted.json()["Payments"][0]["Status"] == "DELETED"
    reverted = session.call("GET", f"/Invoices/{bill['InvoiceID']}").json()["Invoices"][0]
    assert (reverted["AmountPaid"], reverted["AmountDue"], reverted["Status"]) == (
        400.05,
        600.05,
        "AUTHORISED",
    )
    assert "FullyPaidOnDate" not in reverted


def test_payment_needs_authorised_invoice(sandbox):
    session = login(sandbox)
    draft = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                {
                    "Type": "ACCPAY",
                    "Contact": {"Name": "Acme Office Supply"},
                    "InvoiceNumber": "D-1",
                    "LineItems": [{"Description": "x", "UnitAmount": 10, "AccountCode": "310"}],
                }
            ]
        },
    ).json()["Invoices"][0]
    answer = _pay(session, draft["InvoiceID"], 5)
    assert answer.status_code == 400
    assert (
        "Payment can only be made against Authorised documents"
        in answer.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def _cell(report, label):
    for section in report["Rows"]:
        for row in section.get("Rows", []):
            if row["Cells"][0]["Value"] == label:
                return row["Cells"][1]["Value"]
    return None


def test_profit_and_loss_tracking_filter(sandbox):
    session = login(sandbox)
    project = session.call("PUT", "/TrackingCategories", json={"Name": "Project"}).json()[
        "TrackingCategories"
    ][0]
    option = session.call(
        "PUT", f"/TrackingCategories/{project['TrackingCategoryID']}/Options", json={"Name": "P-1 Tower"}
    ).json()["Options"][0]
    tag = [
        {"TrackingCategoryID": project["TrackingCategoryID"], "TrackingOptionID": option["TrackingOptionID"]}
    ]
    _authorised_bill(session, "PL-1", 1234.56, tag)
    _authorised_bill(session, "PL-2", 100.00, tag)
    session.call(
        "PUT",
        "/BankTransactions",
        json={
            "BankTransactions": [
                {
                    "Type": "SPEND",
                    "Contact": {"Name": "Acme Office Supply"},
                    "BankAccount": {"Code": "090"},
                    "Date": "2026-06-16",
                    "LineItems": [
                        {"Description": "Fuel", "UnitAmount": 45.50, "AccountCode": "449", "Tracking": tag}
                    ],
                }
            ]
        },
    ).raise_for_status()
    session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"Name": "Acme Office Supply"},
                    "Status": "AUTHORISED",
                    "Date": "2026-06-17",
                    "LineAmountTypes": "Exclusive",
                    "LineItems": [
                        {
                            "Description": "Progress billing",
                            "UnitAmount": 5000,
                            "AccountCode": "200",
                            "TaxType": "TAX001",
                            "Tracking": tag,
                        }
                    ],
                }
            ]
        },
    ).raise_for_status()
    report = session.call(
        "GET",
        "/Reports/ProfitAndLoss",
        params={
            "fromDate": "2026-06-01",
            "toDate": "2026-06-30",
            "trackingCategoryID": project["TrackingCategoryID"],
            "trackingOptionID": option["TrackingOptionID"],
        },
    ).json()["Reports"][0]
    assert report["ReportID"] == "ProfitAndLoss" and report["Rows"][0]["RowType"] == "Header"
    assert _cell(report, "Sales") == "5000.00"
    assert _cell(report, "Cost of Goods Sold - Subcontract Costs") == "1334.56"
    assert _cell(report, "Motor Vehicle Expenses") == "45.50"
    assert _cell(report, "Gross Profit") == "3665.44"
    assert _cell(report, "Net Profit") == "3619.94"
    unfiltered = session.call(
        "GET", "/Reports/ProfitAndLoss", params={"fromDate": "2026-06-01", "toDate": "2026-06-30"}
    ).json()["Reports"][0]
    assert float(_cell(unfiltered, "Net Profit")) != 3619.94
