"""Malformed fields from Procore and Xero (the bad-input catalogue's findings): flagged for validation,
never a crash."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from procore_xero.mapping import KnownInXero, records_frame, transform_bills, transform_contacts
from procore_xero.mapping.frames import control_characters, text_or_none, valid_dates
from procore_xero.mapping.inbound.direct_costs import procore_line
from procore_xero.mapping.inbound.vendors import transform_vendors
from procore_xero.mapping.sales_invoices import transform_sales_invoices
from procore_xero.mapping.vendor_names import name_key
from tests.unit.mapping.owner_invoices import PRIME_CONTRACTS, PRIME_LINES, g703_line, pay_app
from tests.unit.mapping.test_inbound_vendors_payments import VENDOR_KNOWN, _contact
from tests.unit.mapping.test_transforms import (
    COMMITMENT_LINES,
    COMMITMENTS,
    COST_CODES,
    COST_TYPES,
    PROJECTS,
    SPEC,
    _requisition,
    billed_item,
)

SUMMARY = {
    "work_completed_this_period": D("1000.00"),
    "retainage_retained_this_period": D("0.00"),
    "retainage_released_this_period": D("0.00"),
    "current_payment_due": D("1000.00"),
}


def test_valid_dates_take_only_calendar_days_written_iso() -> None:
    values = pd.Series(["2026-03-31", "2025-02-30", "next Tuesday", 20250301, None, "2026-3-1"], dtype=object)
    assert valid_dates(values).tolist() == [True, False, False, False, False, False]


ADDRESS = dict.fromkeys(
    ("address", "business_phone", "city", "country_code", "email_address", "fax_number", "state_code", "zip")
)


def test_contact_names_that_are_not_text_are_flagged_with_their_type() -> None:
    vendors = records_frame(
        [
            {"id": 1, "name": "Acme", "is_active": True, **ADDRESS},
            {"id": 2, "name": 12345, "is_active": True, **ADDRESS},
            {"id": 3, "name": ["a"], "is_active": True, **ADDRESS},
            {"id": 4, "name": None, "is_active": True, **ADDRESS},
        ]
    )
    frame = transform_contacts(vendors, SPEC)
    assert frame["name_is_text"].tolist() == [True, False, False, True]
    assert frame["name_type"].tolist() == ["str", "int", "list", "NoneType"]
    assert frame["name"].tolist() == ["Acme", None, None, None]


def test_contacts_without_any_name_field_are_flagged_not_crashed() -> None:
    frame = transform_contacts(records_frame([{"id": 1, "is_active": True, **ADDRESS}]), SPEC)
    assert frame["name"].tolist() == [None] and frame["name_is_text"].tolist() == [True]


def test_bills_flag_bad_dates_missing_summaries_items_currencies_and_amounts() -> None:
    due = {"current_payment_due": "1000.00"}
    requisitions = records_frame(
        [
            {**_requisition(1, "approved", [billed_item(100, "1000.00")], due), "billing_date": "2025-02-30"},
            {
                **_requisition(2, "approved", [billed_item(100, "1000.00")], None),
                "currency_configuration": None,
            },
            _requisition(3, "approved", None, due),  # asked without view=extended: no items
            _requisition(
                4, "approved", [billed_item(100, "1,000.00", "12.345")], {"current_payment_due": "n/a"}
            ),
        ]
    )
    frame = transform_bills(
        requisitions, COMMITMENTS, COMMITMENT_LINES, PROJECTS, COST_CODES, COST_TYPES, KnownInXero(), SPEC
    )
    assert frame["date_valid"].tolist() == [False, True, True, True]
    assert frame["has_summary"].tolist() == [True, False, True, True]
    assert frame["has_items"].tolist() == [True, True, False, True]
    assert frame["currency"].tolist() == ["CAD", None, "CAD", "CAD"]  # None, not NaN: the message says None
    assert frame["bad_amounts"].tolist() == [
        "",
        "",
        "",
        "work_completed_this_period '1,000.00'; work_completed_retainage_retained_this_period '12.345'; "
        "current_payment_due 'n/a'",
    ]
    assert frame["net_due"].tolist() == [D("1000.00"), D("0.00"), D("1000.00"), D("0.00")]


def test_sales_invoices_with_a_bad_date_or_a_numeric_number_are_flagged_not_crashed() -> None:
    application = pay_app(
        1, [g703_line(10, "1000.00", "0.00")], "1000.00", billing_date="2025-02-30", invoice_number=17
    )
    frame = transform_sales_invoices(
        records_frame([application]),
        PRIME_CONTRACTS,
        PRIME_LINES,
        COST_CODES,
        COST_TYPES,
        KnownInXero(),
        SPEC,
    )
    invoice = frame.iloc[0]
    assert not invoice["date_valid"] and invoice["label"].startswith("Owner invoice 17 (City of Aurora)")
    assert "DueDate" not in invoice["payload"]


def test_a_vendor_name_that_is_not_text_matches_nothing() -> None:
    assert name_key(12345) == "" and name_key(["Acme"]) == "" and name_key("Acme, Inc.") == "acme"


def test_xero_lines_with_four_decimals_go_to_procore_as_one_times_the_exact_amount() -> None:
    coded = {"cost_code_id": "10", "line_item_type_id": "1", "description": "Rebar"}
    fine = procore_line({**coded, "quantity": "3", "unit_amount": "10.12", "line_amount": D("30.36")})
    assert (fine["quantity"], fine["unit_cost"], fine["amount"]) == (D("3"), D("10.12"), D("30.36"))
    odd = procore_line({**coded, "quantity": "3.125", "unit_amount": "10.1234", "line_amount": D("31.64")})
    assert (odd["quantity"], odd["unit_cost"], odd["amount"]) == (D("1"), D("31.64"), D("31.64"))
    assert odd["description"] == "Rebar (3.125 × 10.1234 in Xero)"


def test_text_with_nothing_visible_is_missing_and_control_characters_are_named() -> None:
    values = pd.Series(["\u200f\u200b ", " Acme ", "شركة ‏(١)", "Acme\x00\nLLC\r\n", None, 5], dtype=object)
    assert text_or_none(values).tolist() == [None, "Acme", "شركة ‏(١)", "Acme\x00\nLLC", None, None]
    assert control_characters(text_or_none(values)).tolist() == ["", "", "", "NUL, line break", "", ""]


def test_xero_contacts_with_control_characters_or_nothing_visible_are_flagged() -> None:
    contacts = records_frame(
        [_contact("c-lines", "Two Line\nSupply"), _contact("c-blank", "\u200b"), _contact("c-ok", "Fine Co")]
    )
    used = ["c-lines", "c-blank", "c-ok"]
    vendors = records_frame([{"id": 11, "name": 12345, "is_active": True}])  # not text: matches nothing
    frame = transform_vendors(contacts, used, vendors, VENDOR_KNOWN, SPEC)
    assert frame["name_controls"].tolist() == ["line break", "", ""]
    assert frame["name"].tolist() == ["Two Line\nSupply", None, "Fine Co"]
    assert frame["match_count"].tolist() == [0, 0, 0]
