"""Fields some records lack: staged frames give None there (never NaN), so defaults apply and nothing
crashes; ids in any case match the crosswalk's lower-case keys."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.inbound.direct_costs import transform_direct_costs, xero_cost_documents
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import LineCoder, budget_codes, document_lines
from procore_xero.mapping.inbound.payments import transform_payments
from procore_xero.mapping.inbound.vendors import transform_vendors

SPEC = load_spec()
DAY = "/Date(1763510400000+0000)/"  # 2025-11-19
KNOWN = KnownInProcore(
    project_by_option={"opt-1": "11"},
    requisition_by_bill={"bill-1": "501", "bill-2": "502"},
    vendor_by_contact={},
)
CODER = LineCoder.build(
    budget_codes(
        records_frame([{"id": 71, "biller_id": 11, "biller_type": "Project", "full_code": "03-300"}]),
        records_frame([{"id": 2, "code": "M"}]),
        SPEC,
    ),
    SPEC,
)


def _line(amount: str) -> dict:
    tracking = [{"Name": "Project", "Option": "J1", "TrackingOptionID": "OPT-1"}]
    return {
        "ItemCode": "03-300-M",
        "AccountCode": "310",
        "Quantity": 1,
        "LineAmount": amount,
        "Tracking": tracking,
    }


def test_a_payment_without_reference_or_invoice_number_gets_none_and_the_procore_sequence() -> None:
    requisitions = records_frame(
        [
            {"id": 501, "project_id": 11, "commitment_id": 9, "number": 1, "invoice_number": "ACM-1"},
            {"id": 502, "project_id": 11, "commitment_id": 9, "number": 2},
        ]
    )
    payments = records_frame(
        [
            {
                "PaymentID": "p-1",
                "Amount": 10,
                "Date": DAY,
                "Reference": "CHK 1",
                "Invoice": {"InvoiceID": "bill-1"},
            },
            {"PaymentID": "P-2", "Amount": 20, "Date": DAY, "Invoice": {"InvoiceID": "BILL-2"}},
        ]
    )
    frame = transform_payments(payments, requisitions, KNOWN, SPEC)
    payloads = {row["source_id"]: row["payload"] for row in frame.to_dict("records")}
    assert payloads["p-1"]["invoice_number"] == "ACM-1" and payloads["p-1"]["notes"] == "CHK 1"
    assert payloads["p-2"]["invoice_number"] == "2" and "notes" not in payloads["p-2"]
    assert payloads["p-2"]["amount"] == D("20.00") and payloads["p-2"]["date"] == "2025-11-19"


def test_documents_without_number_or_rate_and_upper_case_ids() -> None:
    bills = records_frame(
        [
            {
                "InvoiceID": "X-1",
                "Type": "ACCPAY",
                "Status": "AUTHORISED",
                "Date": DAY,
                "InvoiceNumber": "B-1",
                "CurrencyRate": 1.35,
                "LineItems": [_line("100.00")],
            },
            {
                "InvoiceID": "X-2",
                "Type": "ACCPAY",
                "Status": "AUTHORISED",
                "Date": DAY,
                "LineItems": [_line("5.00")],
            },
        ]
    )
    documents = xero_cost_documents(bills, records_frame([]), KNOWN)
    lines = {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()}
    assert lines["xero/invoices"]["line_amount_base"].tolist() == [D("74.07"), D("5.00")]
    frame = transform_direct_costs(documents, lines, {"11": "USD"}, KNOWN, SPEC)
    rows = {row["source_id"]: row for row in frame.to_dict("records")}
    assert set(rows) == {"x-1", "x-2"}
    assert (
        rows["x-1"]["payload"]["invoice_number"] == "B-1" and "invoice_number" not in rows["x-2"]["payload"]
    )
    assert [li["amount"] for li in rows["x-2"]["payload"]["line_items"]] == [D("5.00")]


def test_a_contact_without_addresses_or_phones_is_a_plain_vendor() -> None:
    contacts = records_frame(
        [{"ContactID": "c-1", "Name": "Bare Supply"}, {"ContactID": "c-2", "Name": "Full", "Phones": []}]
    )
    frame = transform_vendors(contacts, ["c-1"], pd.DataFrame(), KNOWN, SPEC)
    assert frame["payload"].tolist() == [{"origin_id": "c-1", "name": "Bare Supply"}]
