"""Transforms on small hand-built staged frames: values, retainage lines, the reference rule, overrides."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from procore_xero.mapping import (
    KnownInXero,
    load_spec,
    records_frame,
    transform_bills,
    transform_contacts,
    transform_items,
    transform_purchase_orders,
    transform_sales_invoices,
    transform_tracking_options,
)
from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.spec import DEFAULT_PATH, spec_from_document
from procore_xero.outgoing import to_outgoing
from procore_xero.tenants import load_tenants
from tests.unit.mapping.owner_invoices import PRIME_CONTRACTS, PRIME_LINES, g703_line, pay_app

SPEC = load_spec()
COST_TYPES = records_frame(
    [{"id": 1, "code": "S", "name": "Subcontract"}, {"id": 2, "code": "M", "name": "Materials"}]
)
COST_CODES = records_frame(
    [
        {"id": 10, "full_code": "03-300", "name": "Cast-in-Place Concrete"},
        {
            "id": 11,
            "full_code": "31-23-16.13-TRENCH-EXCAVATION-DEEP",
            "name": "Deep Trench Excavation for Underground Utilities",
        },
    ]
)


def test_tracking_options_name_job_number_and_cut_to_50() -> None:
    projects = records_frame(
        [
            {
                "id": 7,
                "project_number": "25-101",
                "name": "Boulder Hotel",
                "project_stage": {"name": "Send to Xero"},
            },
            {"id": 8, "project_number": None, "name": "X" * 60, "project_stage": {"name": "Closeout"}},
        ]
    )
    frame = transform_tracking_options(projects, SPEC)
    assert frame["option_name"].tolist() == ["25-101 Boulder Hotel", "X" * 50]
    assert frame["job_number"].tolist() == ["25-101", None]
    assert frame["stage_name"].tolist() == ["Send to Xero", "Closeout"]
    assert frame["payload"][0] == {"Name": "25-101 Boulder Hotel"} == frame["natural_key"][0]
    assert [o.source_id for o in to_outgoing(frame)] == ["7", "8"]


def test_items_cross_codes_and_types_never_cut_codes_and_add_retainage() -> None:
    frame = transform_items(COST_CODES, COST_TYPES, SPEC)
    assert frame["code"].tolist() == [
        "03-300-M",
        "03-300-S",
        "31-23-16.13-TRENCH-EXCAVATION-DEEP-M",
        "31-23-16.13-TRENCH-EXCAVATION-DEEP-S",
        "RETAINAGE",
    ]
    long = frame.iloc[3]
    assert len(long["code"]) == 36 and long["name_truncated"]
    assert long["payload"]["Name"] == "Deep Trench Excavation for Underground Utilities -"
    assert long["payload"]["PurchaseDetails"] == {"AccountCode": "310", "TaxType": "NONE"}
    retainage = frame.iloc[4]
    assert retainage["source_type"] == "pxsync/settings"
    assert retainage["payload"]["PurchaseDetails"]["AccountCode"] == "820"
    assert retainage["payload"]["SalesDetails"]["AccountCode"] == "821"


def test_contacts_map_address_phones_and_drop_empty_fax() -> None:
    vendors = records_frame(
        [
            {
                "id": 5,
                "name": " Acme Concrete LLC ",
                "is_active": True,
                "address": "1 Main St",
                "city": "Denver",
                "state_code": "CO",
                "zip": "80202",
                "country_code": "US",
                "business_phone": "(303) 555-1000",
                "fax_number": None,
                "email_address": None,
            },
            {"id": 6, "name": "Gone Inc.", "is_active": False},
        ]
    )
    frame = transform_contacts(vendors, SPEC)
    assert frame["vendor_id"].tolist() == ["5"]
    assert frame["payload"][0] == {
        "Name": "Acme Concrete LLC",
        "ContactNumber": "5",
        "Addresses": [
            {
                "AddressType": "STREET",
                "AddressLine1": "1 Main St",
                "City": "Denver",
                "Region": "CO",
                "PostalCode": "80202",
                "Country": "US",
            }
        ],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "(303) 555-1000"}],
    }
    assert frame["natural_key"][0] == {"ContactNumber": "5"}


def _requisition(rid: int, status: str, items: list[dict] | None, summary: dict | None) -> dict:
    """A v1.1 requisition read with ``view=extended``, as Procore publishes it."""
    return {
        "id": rid,
        "project_id": 7,
        "commitment_id": 30,
        "number": rid,
        "invoice_number": f"ACM-{rid}",
        "vendor_id": 5,
        "vendor_name": "Acme",
        "status": status,
        "billing_date": "2026-03-31",
        "payment_date": "2026-04-30",
        "currency_configuration": {"currency_iso_code": "CAD"},
        "items": items,
        "summary": summary,
    }


def _item(code_id: int, this_period: str, retained: str, released: str = "0.00") -> dict:
    """A payment application's item (the owner side keeps its own shape)."""
    return {
        "cost_code_id": code_id,
        "line_item_type_id": 1,
        "description_of_work": f"work on {code_id}",
        "work_completed_this_period": D(this_period),
        "work_completed_retainage_retained_this_period": D(retained),
        "work_completed_retainage_released_this_period": D(released),
    }


def billed_item(line_id: int, work: str, retained: str = "0.00", released: str = "0.00", **more: str) -> dict:
    """A requisition item (G703 row) with Procore's amounts as strings; ``more`` sets the materials fields."""
    return {
        "id": 900 + line_id,
        "item_type": "contract_item",
        "line_item_id": line_id,
        "cost_code_id": 10,
        "description_of_work": f"line {line_id}",
        "work_completed_this_period": work,
        "materials_presently_stored": "0.00",
        "materials_presently_stored_from_previous_progress": "0.00",
        "work_completed_retainage_retained_this_period": retained,
        "work_completed_retainage_released_this_period": released,
        "materials_stored_retainage_new_materials": "0.00",
        "materials_stored_retainage_released_this_period": "0.00",
        **more,
    }


# Line 100 bills 1,000.00 of work (100.00 held, 40.00 released); line 101 stores 500.00 of materials on site
# (50.00 held on them). Due: 1,000.00 + 500.00 - 150.00 + 40.00 = 1,390.00.
REQUISITIONS = records_frame(
    [
        _requisition(
            1,
            "approved",
            [
                billed_item(100, "1000.00", "100.00", "40.00"),
                billed_item(
                    101,
                    "0.00",
                    materials_presently_stored="500.00",
                    materials_stored_retainage_new_materials="50.00",
                ),
            ],
            {"current_payment_due": "1390.00", "total_retainage": "150.00"},
        ),
        _requisition(2, "under_review", [], {}),
    ]
)
COMMITMENTS = records_frame(
    [
        {
            "id": 30,
            "number": "SC-001",
            "project": {"id": 7, "name": "Hotel"},
            "vendor": {"id": 5, "company": "Acme"},
            "currency_configuration": {"currency_iso_code": "CAD"},
        }
    ]
)
# SOV lines: their cost types (the items name only their line).
COMMITMENT_LINES = records_frame(
    [
        {"id": 100, "line_item_type": {"id": 1, "name": "Subcontract"}},
        {"id": 101, "line_item_type": {"id": 2}},
    ]
)
PROJECTS = records_frame([{"id": 7, "project_number": "25-101"}, {"id": 8, "project_number": None}])


def bills(requisitions, known: KnownInXero, spec=SPEC):
    return transform_bills(
        requisitions, COMMITMENTS, COMMITMENT_LINES, PROJECTS, COST_CODES, COST_TYPES, known, spec
    )


KNOWN = KnownInXero(
    contacts={"5": "c-5"},
    project_options={"7": "25-101 Hotel"},
    item_codes={"03-300-S", "03-300-M"},
    currencies={"USD"},
)


@pytest.mark.parametrize("commitments_sync", [True, False])
def test_bill_lines_retainage_and_reference_rule(commitments_sync: bool) -> None:
    spec = SPEC
    if not commitments_sync:
        spec = spec_from_document(
            {"settings": SPEC.settings, "objects": SPEC.objects},
            {"objects": {"purchase_orders": {"enabled": False}}},
        )
    frame = bills(REQUISITIONS, KNOWN, spec)
    assert len(frame) == 1
    bill = frame.iloc[0]
    # PO number qualified by the job number, then Procore's invoice sequence: unique per contact in Xero.
    assert bill["invoice_number"] == ("25-101-SC-001-1" if commitments_sync else "ACM-1")
    assert bill["natural_key"] == {"InvoiceNumber": bill["invoice_number"], "ContactID": "c-5"}
    assert (bill["gross_this_period"], bill["retainage_held"], bill["retainage_released"]) == (
        D("1500.00"),
        D("150.00"),
        D("40.00"),
    )
    assert bill["net_due"] == bill["lines_total"] == D("1390.00")
    assert bill["sov_total"] == D("1500.00") and bill["has_items"] and bill["bad_amounts"] == ""
    assert (bill["currency"], bill["currency_enabled"]) == ("CAD", False)
    assert bill["contact_mapped"] and bill["project_option_mapped"] and bill["unmapped_lines"] == 0
    tracking = [{"Name": "Project", "Option": "25-101 Hotel"}]

    def line(code: str, text: str, amount: str, account: str) -> dict:
        return {
            "ItemCode": code,
            "Description": text,
            "Quantity": D("1.00"),
            "UnitAmount": D(amount),
            "LineAmount": D(amount),
            "AccountCode": account,
            "TaxType": "NONE",
            "Tracking": tracking,
        }

    assert bill["payload"]["LineItems"] == [
        line("03-300-S", "line 100", "1000.00", "310"),
        line("03-300-M", "Materials stored: line 101", "500.00", "310"),
        line("RETAINAGE", "Retainage held", "-150.00", "820"),
        line("RETAINAGE", "Retainage released", "40.00", "820"),
    ]
    assert bill["payload"]["Type"] == "ACCPAY" and bill["payload"]["CurrencyCode"] == "CAD"


def test_installed_materials_bill_the_work_less_what_was_stored() -> None:
    """Invoice 2 after 800.00 of materials were stored: 1,000.00 of work done (the materials installed),
    nothing stored any more, 100.00 held on the work, the 80.00 held on the materials released:
    1,000.00 - 800.00 - 100.00 + 80.00 = 180.00 due, and the lines say so to the cent."""
    installed = billed_item(
        101,
        "1000.00",
        "100.00",
        materials_presently_stored="0.00",
        materials_presently_stored_from_previous_progress="800.00",
        materials_stored_retainage_released_this_period="80.00",
    )
    frame = bills(
        records_frame([_requisition(3, "approved", [installed], {"current_payment_due": "180.00"})]), KNOWN
    )
    bill = frame.iloc[0]
    assert (bill["gross_this_period"], bill["retainage_held"], bill["retainage_released"]) == (
        D("200.00"),
        D("100.00"),
        D("80.00"),
    )
    assert bill["lines_total"] == bill["net_due"] == D("180.00")
    assert [(x["Description"], x["LineAmount"]) for x in bill["payload"]["LineItems"]] == [
        ("line 101", D("1000.00")),
        ("Materials stored: line 101", D("-800.00")),
        ("Retainage held", D("-100.00")),
        ("Retainage released", D("80.00")),
    ]


def test_vendor_ids_stay_whole_when_one_invoice_names_none() -> None:
    """One invoice without ``vendor_id`` turns pandas' column into floats; the ids must still read whole."""
    due = {"current_payment_due": "10.00"}
    named = {**_requisition(5, "approved", [billed_item(100, "10.00")], due), "vendor_id": 562949953000028}
    unnamed = {**_requisition(6, "approved", [billed_item(100, "10.00")], due), "vendor_id": None}
    frame = bills(records_frame([named, unnamed]), KNOWN)
    assert frame["vendor_id"].tolist() == ["562949953000028", "5"]


def test_vendor_from_the_commitment_when_the_invoice_names_no_vendor_id() -> None:
    v10 = {
        k: v
        for k, v in _requisition(
            4, "approved", [billed_item(100, "10.00")], {"current_payment_due": "10.00"}
        ).items()
        if k != "vendor_id"
    }
    bill = bills(records_frame([v10]), KNOWN).iloc[0]
    assert (
        bill["vendor_id"] == "5"
        and bill["contact_mapped"]
        and bill["payload"]["Contact"] == {"ContactID": "c-5"}
    )


def test_unmapped_vendor_project_and_items_are_flagged_not_dropped() -> None:
    bill = bills(REQUISITIONS, KnownInXero()).iloc[0]
    assert not bill["contact_mapped"] and not bill["project_option_mapped"]
    assert bill["unmapped_lines"] == 2
    assert "Contact" not in bill["payload"]
    assert all(line["Tracking"] == [] for line in bill["payload"]["LineItems"])


def test_tenant_override_and_settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings file PXSYNC_SETTINGS names, with a tenant's overrides from the tenants file over it."""
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["settings"]["retainage"]["item_code"] = "RET"
    document["objects"] = {"items": {"enabled": True, "fields": {"Code": "code"}}}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    tenants = tmp_path / "tenants.yaml"
    tenants.write_text(
        "tenants: [{name: acme-nz, procore_conn_id: procore_acme, xero_conn_id: xero_acme,"
        " overrides: {settings: {tracking_category: Jobs}, objects: {items: {fields: {Name: name}}}}}]\n"
    )
    monkeypatch.setenv("PXSYNC_SETTINGS", str(path))
    (acme_nz,) = load_tenants(tenants)
    base, acme = load_spec(), load_spec(acme_nz)
    assert base.settings.tracking_category == "Project"
    assert (acme.settings.tracking_category, acme.settings.retainage.item_code) == ("Jobs", "RET")
    assert acme.settings == replace(base.settings, tracking_category="Jobs")  # nothing else changed
    assert dict(acme.fields("items")) == {"Code": "code", "Name": "name"}
    assert base.enabled("items") and not base.enabled("contacts")


def _line(code_id: int, kind: str, amount: str, quantity: str = "1.00", unit: str | None = None) -> dict:
    return {
        "description": f"{code_id}-{kind} {amount}",
        "quantity": D(quantity),
        "unit_cost": D(unit or amount),
        "amount": D(amount),
        "cost_code": {"id": code_id, "full_code": "03-300"},
        "line_item_type": {"code": kind},
    }


def _budget_row(row_id: int, code_id: int, type_id: int, revised: str, committed: str) -> dict:
    """A detail row of Procore's standard budget view (amounts as strings, columns named by the view)."""
    return {
        "id": row_id,
        "project_id": 7,
        "cost_code_id": code_id,
        "category_id": type_id,
        "Original Budget Amount": revised,
        "Revised Budget": revised,
        "Committed Costs": committed,
        "Direct Costs": "0.00",
        "Job to Date Costs": "0.00",
    }


def _change_order(
    co_id: int, contract_id: int, number: str, title: str | None, status: str, total: str
) -> dict:
    """Procore publishes a change order's total, not its lines."""
    return {
        "id": co_id,
        "contract_id": contract_id,
        "number": number,
        "title": title,
        "status": status,
        "grand_total": total,
    }


def _commitment(cid: int, number: str, status: str, project_id: int = 7) -> dict:
    return {
        "id": cid,
        "number": number,
        "title": f"Acme - {number}",
        "status": status,
        "project": {"id": project_id, "name": f"Project {project_id}"},
        "vendor": {"id": 5, "company": "Acme"},
        "created_at": "2025-07-10T13:15:55Z",
        "ship_via": "Will call" if number.startswith("PO") else None,
        "currency_configuration": {"currency_iso_code": "USD"},
        "commitment_type": "purchase_order_contracts" if number.startswith("PO") else "work_order_contracts",
    }


def test_purchase_orders_append_change_orders_and_compute_remaining_budget() -> None:
    commitments = records_frame(
        [
            _commitment(30, "SC-001", "Approved"),
            _commitment(31, "PO-002", "Approved"),
            _commitment(32, "SC-003", "Draft"),
            _commitment(33, "SC-001", "Approved", project_id=8),
        ]
    )
    sov = records_frame(
        [
            {"holder": {"id": 30}, "position": 2, **_line(10, "S", "600.00")},
            {"holder": {"id": 30}, "position": 1, **_line(10, "M", "400.00", "4.00", "100.00")},
            {"holder": {"id": 31}, "position": 1, **_line(10, "S", "300.00")},
            {"holder": {"id": 32}, "position": 1, **_line(10, "S", "9000.00")},
            {"holder": {"id": 33}, "position": 1, **_line(11, "S", "50.00")},
        ]
    )
    change_orders = records_frame(
        [
            {
                "id": 91,
                "contract_id": 30,
                "number": "SC-001-CO02",
                "title": "Extra",
                "status": "approved",
                "grand_total": "70.00",
            },
            {
                "id": 90,
                "contract_id": 30,
                "number": "SC-001-CO01",
                "title": "Rock",
                "status": "approved",
                "grand_total": "30.00",
            },
            {
                "id": 92,
                "contract_id": 30,
                "number": "SC-001-CO03",
                "title": "Maybe",
                "status": "pending",
                "grand_total": "5.00",
            },
            {
                "id": 93,
                "contract_id": 31,
                "number": "PO-002-CO01",
                "title": None,
                "status": "approved",
                "grand_total": "20.00",
            },
        ]
    )
    # Committed as Procore's budget view counts it: on 10/S #30 600.00 + CO01 30.00 + CO02 70.00, #31 300.00
    # + its CO 20.00 (1,020.00); on 10/M #30's 400.00. #32 is a draft, CO03 pending.
    budget = budget_figures(
        records_frame(
            [
                _budget_row(1, 10, 3, "1500.00", "1020.00"),
                _budget_row(2, 10, 2, "350.00", "400.00"),
                _budget_row(3, 10, 1, "999.00", "0.00"),
            ]
        ),
        records_frame([{"id": 1, "code": "L"}, {"id": 2, "code": "M"}, {"id": 3, "code": "S"}]),
    )
    known = KnownInXero(
        contacts={"5": "c-5"},
        project_options={"7": "25-101 Hotel"},
        item_codes={"03-300-S"},
        currencies={"USD"},
    )
    frame = transform_purchase_orders(commitments, sov, change_orders, budget, PROJECTS, known, SPEC)
    assert frame["commitment_id"].tolist() == ["30", "31", "33"]
    assert frame["number"].tolist() == ["25-101-SC-001", "25-101-PO-002", "8-SC-001"]
    sc = frame.iloc[0]
    assert sc["change_order_ids"] == ["90", "91"]
    assert sc["total"] == D("1100.00") and sc["unmapped_lines"] == 1
    # On 10/S and 10/M: revised 1,850.00 minus committed 1,420.00, plus SC-001's own 1,100.00 (counted in
    # it); 10/L is not its code. PO-002: 1,500.00 - 1,020.00 on 10/S + its own 320.00.
    assert sc["remaining_budget"] == D("1530.00")
    assert frame.iloc[1]["remaining_budget"] == D("800.00")
    assert frame.iloc[2]["remaining_budget"] is None and not frame.iloc[2]["project_option_mapped"]
    payload = sc["payload"]
    assert [(line["Description"], line["Quantity"], line["UnitAmount"]) for line in payload["LineItems"]] == [
        ("10-M 400.00", D("4.00"), D("100.00")),
        ("10-S 600.00", D("1.00"), D("600.00")),
        ("Change order SC-001-CO01: Rock", D("1.00"), D("30.00")),
        ("Change order SC-001-CO02: Extra", D("1.00"), D("70.00")),
    ]
    assert [line.get("ItemCode") for line in payload["LineItems"]] == ["03-300-M", "03-300-S", None, None]
    assert frame.iloc[1]["payload"]["LineItems"][-1]["Description"] == "Change order PO-002-CO01"
    assert {k: payload[k] for k in ("PurchaseOrderNumber", "Date", "Reference", "Status")} == {
        "PurchaseOrderNumber": "25-101-SC-001",
        "Date": "2025-07-10",
        "Reference": "Acme - SC-001",
        "Status": "AUTHORISED",
    }
    assert "DeliveryInstructions" not in payload
    assert frame.iloc[1]["payload"]["DeliveryInstructions"] == "Will call"
    assert sc["natural_key"] == {"PurchaseOrderNumber": "25-101-SC-001"}
    assert frame["source_type"].tolist() == [
        "procore/work_order_contracts",
        "procore/purchase_order_contracts",
        "procore/work_order_contracts",
    ]


def test_sales_invoice_owner_contact_receivable_retainage_and_due_date() -> None:
    """From the published G702/G703: lines of this period's work, retainage retained and released on work
    and stored materials summed over the G703 lines, the payment due from the G702, to the cent."""
    lines = [
        g703_line("10", "1000.00", "50.00", "0.00", materials_stored_retainage_retained_this_period="2.50"),
        g703_line("11", "0.00", "0.00", "20.00", materials_stored_retainage_released_this_period="0.25"),
    ]
    application = pay_app(1, lines, "967.75")
    known = KnownInXero(contacts={"3": "c-owner"}, project_options={"7": "25-101 Hotel"}, currencies={"USD"})
    frame = transform_sales_invoices(
        records_frame([application]), PRIME_CONTRACTS, PRIME_LINES, COST_CODES, COST_TYPES, known, SPEC
    )
    invoice = frame.iloc[0]
    assert invoice["owner_contact_mapped"] and invoice["owner_vendor_id"] == "3"
    assert (invoice["prime_contract_id"], invoice["project_id"], invoice["currency"]) == ("40", "7", "USD")
    assert invoice["net_due"] == invoice["lines_total"] == D("967.75") and invoice["unmapped_lines"] == 1
    payload = invoice["payload"]
    assert {k: payload[k] for k in ("Type", "InvoiceNumber", "Reference", "Date", "DueDate")} == {
        "Type": "ACCREC",
        "InvoiceNumber": "ACM-1",
        "Reference": "1",
        "Date": "2026-03-31",
        "DueDate": "2026-04-30",
    }
    assert payload["Contact"] == {"ContactID": "c-owner"}
    assert [(line["AccountCode"], line["LineAmount"]) for line in payload["LineItems"]] == [
        ("200", D("1000.00")),
        ("821", D("-52.50")),
        ("821", D("20.25")),
    ]
    assert payload["LineItems"][0]["ItemCode"] == "03-300-S"
