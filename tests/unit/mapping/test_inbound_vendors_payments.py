"""Xero contacts -> Procore vendors (matched by name or created) and Xero payments on synced bills -> Procore
payments issued, down to the loader's writes."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.payments import ignored_payments, transform_payments
from procore_xero.mapping.inbound.vendors import transform_vendors
from procore_xero.outgoing import FRAME_COLUMNS
from procore_xero.to_procore.loader import ProcoreWrite, procore_writes

SPEC = load_spec()
NOV_19 = "/Date(1763510400000+0000)/"  # 2025-11-19T00:00:00Z


def _contact(contact_id: str, name: str, **fields: Any) -> dict[str, Any]:
    # Xero returns Addresses / Phones / EmailAddress on every contact (possibly empty).
    return {
        "ContactID": contact_id,
        "Name": name,
        "EmailAddress": "",
        "Addresses": [],
        "Phones": [],
        **fields,
    }


CONTACTS = records_frame(
    [
        _contact("C-LINKED", "Linked Supply"),  # linked already (crosswalk keys are lower case)
        _contact("c-made", "Acme Concrete LLC"),  # the Procore -> Xero sync created it
        _contact("c-one", "ACME Concrete, L.L.C."),
        _contact(
            "c-none",
            " New Supplier Pty Ltd ",
            EmailAddress="ap@newsupplier.example",
            Addresses=[
                {"AddressType": "POBOX", "AddressLine1": "PO Box 9", "City": "Boulder"},
                {
                    "AddressType": "STREET",
                    "AddressLine1": "1 Main St",
                    "AddressLine2": "Suite 2",
                    "City": "Denver",
                    "Region": "CO",
                    "PostalCode": "80202",
                    "Country": "us",
                },
            ],
            Phones=[
                {"PhoneType": "MOBILE", "PhoneNumber": "555-0000"},
                {
                    "PhoneType": "DEFAULT",
                    "PhoneCountryCode": "1",
                    "PhoneAreaCode": "303",
                    "PhoneNumber": "555-1000",
                },
                {"PhoneType": "FAX"},
            ],
        ),
        _contact("c-two", "Smith & Sons"),
        _contact("c-unused", "Acme Concrete"),  # on no Xero-entered document
    ]
)
VENDORS = records_frame(
    [
        {"id": 11, "name": "Acme Concrete LLC", "is_active": True},
        {"id": 12, "name": "Smith and Sons Inc.", "is_active": True},
        {"id": 13, "name": "SMITH & SONS", "is_active": True},
        {"id": 14, "name": "Smith & Sons Ltd", "is_active": False},  # inactive: never matched
        {"id": 15, "name": "Linked Supply", "is_active": True},
    ]
)
VENDOR_KNOWN = KnownInProcore(
    project_by_option={},
    requisition_by_bill={},
    vendor_by_contact={"c-linked": "15"},
    made_by_sync=frozenset({"c-made"}),
)
USED = ["c-linked", "C-MADE", "c-one", "C-NONE", "c-two"]


def test_vendors_skip_linked_and_sync_made_contacts_and_match_by_name() -> None:
    frame = transform_vendors(CONTACTS, USED, VENDORS, VENDOR_KNOWN, SPEC)
    assert frame.columns.tolist() == [
        *FRAME_COLUMNS,
        "action",
        "name",
        "name_controls",
        "match_count",
        "matched_vendor_ids",
        "matched_vendor_id",
        "project_id",
    ]
    assert frame["source_id"].tolist() == ["c-one", "c-none", "c-two"]
    assert set(frame["target_type"]) == {"vendors"} and set(frame["source_type"]) == {"xero/contacts"}
    assert frame["action"].tolist() == ["link", "upsert", "upsert"]
    assert frame["match_count"].tolist() == [1, 0, 2]
    assert frame["matched_vendor_id"].tolist() == ["11", None, None]
    assert frame["matched_vendor_ids"].tolist() == ["11", None, "12, 13"]
    assert frame["name"].tolist() == ["ACME Concrete, L.L.C.", "New Supplier Pty Ltd", "Smith & Sons"]
    assert frame["project_id"].tolist() == [None, None, None]
    assert frame["natural_key"].tolist() == [
        {"origin_id": "c-one"},
        {"origin_id": "c-none"},
        {"origin_id": "c-two"},
    ]
    assert frame["label"][0] == "Xero contact 'ACME Concrete, L.L.C.'"


def test_a_vendor_to_create_carries_street_address_default_phone_and_email() -> None:
    frame = transform_vendors(CONTACTS, USED, VENDORS, VENDOR_KNOWN, SPEC)
    assert frame["payload"][1] == {
        "origin_id": "c-none",
        "name": "New Supplier Pty Ltd",
        "address": "1 Main St Suite 2",
        "city": "Denver",
        "state_code": "CO",
        "zip": "80202",
        "country_code": "US",
        "business_phone": "1 303 555-1000",
        "email_address": "ap@newsupplier.example",
    }
    assert frame["payload"][0] == {"origin_id": "c-one", "name": "ACME Concrete, L.L.C."}


def test_vendor_address_falls_back_to_po_box_and_drops_country_names() -> None:
    contacts = records_frame(
        [
            _contact(
                "c-box",
                "Box Supply",
                Addresses=[
                    {"AddressType": "STREET", "AddressLine1": "", "City": ""},  # empty: skipped
                    {
                        "AddressType": "POBOX",
                        "AddressLine1": "PO Box 9",
                        "City": "Boulder",
                        "Country": "United States",
                    },
                ],
                Phones=[{"PhoneType": "DEFAULT"}, {"PhoneType": "MOBILE", "PhoneNumber": "555-0000"}],
            )
        ]
    )
    frame = transform_vendors(contacts, ["c-box"], records_frame([]), VENDOR_KNOWN, SPEC)
    assert frame["payload"][0] == {
        "origin_id": "c-box",
        "name": "Box Supply",
        "address": "PO Box 9",
        "city": "Boulder",
        "business_phone": "555-0000",
    }
    assert (frame["action"][0], frame["match_count"][0]) == ("upsert", 0)


def test_vendors_with_nothing_to_do_are_an_empty_frame() -> None:
    frame = transform_vendors(CONTACTS, ["c-linked", "c-made", "c-nobody"], VENDORS, VENDOR_KNOWN, SPEC)
    assert frame.empty and "action" in frame.columns


def test_vendor_writes_link_one_match_and_upsert_the_rest() -> None:
    writes = procore_writes(transform_vendors(CONTACTS, USED, VENDORS, VENDOR_KNOWN, SPEC))
    assert [(w.record.source_id, w.action, w.project_id, w.link_to) for w in writes] == [
        ("c-one", "link", None, "11"),
        ("c-none", "upsert", None, None),
        ("c-two", "upsert", None, None),
    ]
    assert all(isinstance(w, ProcoreWrite) and w.record.target_type == "vendors" for w in writes)


# ---- payments ------------------------------------------------------------------------------------------

PAYMENT_KNOWN = KnownInProcore(
    project_by_option={}, requisition_by_bill={"bill-1": "501", "bill-2": "502"}, vendor_by_contact={}
)
REQUISITIONS = records_frame(
    [
        {"id": 501, "project_id": 7, "commitment_id": 30, "number": 1, "invoice_number": "ACM-1"},
        {"id": 502, "project_id": 7, "commitment_id": 30, "number": 2, "invoice_number": "ACM-2"},
    ]
)


def _payment(payment_id: str, bill_id: str, amount: Any, **fields: Any) -> dict[str, Any]:
    return {
        "PaymentID": payment_id,
        "PaymentType": "ACCPAYPAYMENT",
        "Status": "AUTHORISED",
        "Amount": amount,
        "Date": NOV_19,
        "Reference": "",
        "Invoice": {
            "InvoiceID": bill_id,
            "InvoiceNumber": f"25-101-SC-001-{bill_id[-1]}",
            "CurrencyCode": "USD",
        },
        **fields,
    }


PAYMENTS = records_frame(
    [
        _payment("P-1", "BILL-1", 940, Reference=" chq 1001 "),
        _payment("p-2", "bill-2", 100.5, Status="DELETED", Date="/Date(1763596800000+0000)/"),
        _payment("p-3", "bill-1", 0.1),  # a second, partial payment on the same bill
        _payment("p-4", "other-bill", 10),  # a bill entered in Xero
        _payment("p-5", "other-bill", 10, Status="DELETED"),
        _payment("p-6", "other-bill", 10, Status="ARCHIVED"),
        _payment("p-7", "sales-1", 10, PaymentType="ACCRECPAYMENT"),
    ]
)


def test_payments_only_on_synced_bills_with_amount_date_contract_and_numbers() -> None:
    frame = transform_payments(PAYMENTS, REQUISITIONS, PAYMENT_KNOWN, SPEC)
    assert frame["source_id"].tolist() == ["p-1", "p-2", "p-3"]
    assert set(frame["target_type"]) == {"contract_payments"} and set(frame["source_type"]) == {
        "xero/payments"
    }
    assert frame["action"].tolist() == ["upsert", "delete", "upsert"]
    assert frame["requisition_id"].tolist() == ["501", "502", "501"]
    assert frame["contract_id"].tolist() == [30, 30, 30]
    assert frame["project_id"].tolist() == ["7", "7", "7"]
    assert frame["amount"].tolist() == [D("940.00"), D("100.50"), D("0.10")]
    assert [str(a) for a in frame["amount"]] == ["940.00", "100.50", "0.10"]
    assert frame["date"].tolist() == ["2025-11-19", "2025-11-20", "2025-11-19"]
    assert frame["currency"].tolist() == ["USD", "USD", "USD"]
    assert frame["label"][0] == "Payment of 940.00 on bill 25-101-SC-001-1 (2025-11-19)"
    assert frame["payload"].tolist() == [
        {
            "origin_id": "p-1",
            "contract_id": 30,
            "amount": D("940.00"),
            "date": "2025-11-19",
            "invoice_number": "ACM-1",
            "notes": "chq 1001",
        },
        {
            "origin_id": "p-2",
            "contract_id": 30,
            "amount": D("100.50"),
            "date": "2025-11-20",
            "invoice_number": "ACM-2",
        },
        {
            "origin_id": "p-3",
            "contract_id": 30,
            "amount": D("0.10"),
            "date": "2025-11-19",
            "invoice_number": "ACM-1",
        },
    ]
    assert frame["natural_key"][1] == {"origin_id": "p-2"}


def test_payment_invoice_number_falls_back_to_procores_sequence() -> None:
    requisitions = records_frame(
        [{"id": 501, "project_id": 7, "commitment_id": 30, "number": 4, "invoice_number": None}]
    )
    frame = transform_payments(
        records_frame([_payment("p-1", "bill-1", 5)]), requisitions, PAYMENT_KNOWN, SPEC
    )
    assert frame["payload"][0]["invoice_number"] == "4"


def test_payment_on_a_requisition_not_staged_keeps_the_requisition_and_no_contract() -> None:
    frame = transform_payments(
        records_frame([_payment("p-1", "bill-1", 5)]), records_frame([]), PAYMENT_KNOWN, SPEC
    )
    row = frame.iloc[0]
    assert (row["requisition_id"], row["contract_id"], row["project_id"]) == ("501", None, None)
    assert row["payload"] == {"origin_id": "p-1", "amount": D("5.00"), "date": "2025-11-19"}


def test_ignored_payments_count_live_bill_payments_on_bills_not_from_procore() -> None:
    assert ignored_payments(PAYMENTS, PAYMENT_KNOWN) == 1  # p-4; not deleted/archived ones, not ACCREC
    extra = records_frame([*PAYMENTS.to_dict("records"), _payment("p-8", "OTHER-2", 1)])
    assert ignored_payments(extra, PAYMENT_KNOWN) == 2
    assert ignored_payments(records_frame([]), PAYMENT_KNOWN) == 0


def test_payment_writes_upsert_or_reverse_per_project() -> None:
    writes = procore_writes(transform_payments(PAYMENTS, REQUISITIONS, PAYMENT_KNOWN, SPEC))
    assert [(w.record.source_id, w.action, w.project_id, w.link_to) for w in writes] == [
        ("p-1", "upsert", "7", None),
        ("p-2", "delete", "7", None),
        ("p-3", "upsert", "7", None),
    ]
    assert writes[0].record.payload["amount"] == D("940.00")
