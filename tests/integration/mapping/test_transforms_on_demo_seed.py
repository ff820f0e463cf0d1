"""The transforms on the demo seed, extracted from the Procore sandbox into SQLite staging by the real
extract functions (once for the module)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from procore_xero.amounts import parse_amount as amount  # the emulator sends Procore's decimal strings
from procore_xero.extract.specs import COMPANY_SCOPED
from procore_xero.mapping import (
    KnownInXero,
    all_commitments,
    load_spec,
    project_options,
    read_staged,
    transform_bills,
    transform_contacts,
    transform_items,
    transform_purchase_orders,
    transform_sales_invoices,
    transform_tracking_options,
)
from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.staged import STAGED_PROJECT
from procore_xero.staging import create_staging_engine
from procore_xero.staging.jsoncodec import dumps
from procore_xero.to_xero.targets import TARGETS
from sandbox.xero.contract import PublishedContract
from sandbox.xero.schema import BodySchemas
from tests.staging_fixtures import copy_staged_demo

NEEDED = (
    "cost_codes",
    "budget_view_detail_rows",
    "work_order_contracts",
    "purchase_order_contracts",
    "commitment_line_items",
    "commitment_change_orders",
    "requisitions",
    "prime_contracts",
    "prime_contract_line_items",
    "payment_applications",
)
SPEC_PATH = Path(__file__).resolve().parents[4] / "shared" / "reference" / "xero_accounting.yaml"
# The element schema of each list key the loader sends (``TARGETS[...].key``).
ELEMENT_SCHEMA = {
    "Contacts": "Contact",
    "Items": "Item",
    "Options": "TrackingOption",
    "PurchaseOrders": "PurchaseOrder",
    "Invoices": "Invoice",
}


@pytest.fixture(scope="module")
def staged(staged_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_staging_engine(copy_staged_demo(staged_demo, tmp_path_factory.mktemp("mapping")))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def frames(staged: Engine) -> dict[str, pd.DataFrame]:
    spec = load_spec()
    staging = {name: read_staged(staged, name) for name in (*COMPANY_SCOPED, *NEEDED)}
    options = transform_tracking_options(staging["projects"], spec)
    items = transform_items(staging["cost_codes"], staging["line_item_types"], spec)
    contacts = transform_contacts(staging["vendors"], spec)
    known = KnownInXero(
        contacts={v: f"contact-{v}" for v in contacts["vendor_id"]},
        project_options=project_options(options),
        item_codes=set(items["code"]),
        currencies={"USD", "CAD"},
    )
    commitments = all_commitments(staging["work_order_contracts"], staging["purchase_order_contracts"])
    codes, types = staging["cost_codes"], staging["line_item_types"]
    bills = transform_bills(
        staging["requisitions"],
        commitments,
        staging["commitment_line_items"],
        staging["projects"],
        codes,
        types,
        known,
        spec,
    )
    purchase_orders = transform_purchase_orders(
        commitments,
        staging["commitment_line_items"],
        staging["commitment_change_orders"],
        budget_figures(staging["budget_view_detail_rows"], staging["line_item_types"]),
        staging["projects"],
        known,
        spec,
    )
    sales = transform_sales_invoices(
        staging["payment_applications"],
        staging["prime_contracts"],
        staging["prime_contract_line_items"],
        codes,
        types,
        known,
        spec,
    )
    return {
        "options": options,
        "items": items,
        "contacts": contacts,
        "bills": bills,
        "purchase_orders": purchase_orders,
        "sales_invoices": sales,
        "commitments": commitments,
        **staging,
    }


def test_reference_data_traps(frames: dict[str, pd.DataFrame]) -> None:
    options, items, contacts = frames["options"], frames["items"], frames["contacts"]
    assert len(options) == 25
    assert options["job_number"].isna().sum() == 1
    assert (options["stage_name"] != "Send to Xero").sum() == 5
    long = items[items["cost_code"] == "31-23-16.13-TRENCH-EXCAVATION-DEEP"]
    assert len(long) == 5 and (long["code"].str.len() > 30).all()
    assert (items["code"] == "RETAINAGE").sum() == 1
    active = frames["vendors"]["is_active"].astype(bool).sum()
    assert len(contacts) == active
    assert {"Acme Concrete LLC", "ACME Concrete, LLC", "Łukasz Électricité SARL"} <= set(contacts["name"])


def test_bills_total_net_due_to_the_cent(frames: dict[str, pd.DataFrame]) -> None:
    bills, requisitions = frames["bills"], frames["requisitions"]
    approved = requisitions[requisitions["status"] == "approved"]
    assert len(bills) == len(approved) and bills["has_items"].all() and (bills["bad_amounts"] == "").all()
    assert (bills["lines_total"] == bills["net_due"]).all()
    assert (bills["sov_total"] == bills["gross_this_period"]).all()
    assert (bills["net_due"] < 0).sum() == 3
    cad_projects = _cad_project_ids(frames)
    cad = bills[
        bills["source_id"].isin(
            approved[approved["project_id"].astype(str).isin(cad_projects)]["id"].astype(str)
        )
    ]
    assert len(cad) > 0 and (cad["currency"] == "CAD").all()
    assert all(p["CurrencyCode"] == "CAD" for p in cad["payload"])


def test_sampled_bill_matches_its_requisition(frames: dict[str, pd.DataFrame]) -> None:
    bills, requisitions = frames["bills"], frames["requisitions"]
    released = bills[bills["retainage_released"] > 0].iloc[0]
    source = requisitions[requisitions["id"].astype(str) == released["source_id"]].iloc[0]
    lines = released["payload"]["LineItems"]
    billed = [i for i in source["items"] if amount(i["work_completed_this_period"]) != 0]
    assert [line["UnitAmount"] for line in lines[: len(billed)]] == [
        amount(i["work_completed_this_period"]) for i in billed
    ]
    retainage = lines[len(billed) :]
    assert all(line["ItemCode"] == "RETAINAGE" and line["AccountCode"] == "820" for line in retainage)
    assert sum((line["LineAmount"] for line in retainage), Decimal(0)) == sum(
        (
            amount(i["work_completed_retainage_released_this_period"])
            - amount(i["work_completed_retainage_retained_this_period"])
            for i in source["items"]
        ),
        Decimal(0),
    )
    assert sum((line["LineAmount"] for line in lines), Decimal(0)) == amount(
        source["summary"]["current_payment_due"]
    )
    assert released["payload"]["Date"] == source["billing_date"]
    assert released["payload"]["DueDate"] == source["payment_date"]


def test_bill_with_materials_stored_then_installed(frames: dict[str, pd.DataFrame]) -> None:
    """The seed's purchase orders that store materials with invoice 1: that bill carries a materials line
    and retainage held on it; invoice 2 installs them (a negative materials line), all to the cent."""
    bills, requisitions = frames["bills"], frames["requisitions"]
    stored = requisitions[
        requisitions["items"].map(lambda items: any(amount(i["materials_presently_stored"]) for i in items))
    ]
    assert len(stored) == 21
    bill = bills[bills["source_id"] == str(stored.iloc[0]["id"])].iloc[0]
    materials = [line for line in bill["payload"]["LineItems"] if line["Description"].startswith("Materials")]
    item = next(i for i in stored.iloc[0]["items"] if amount(i["materials_presently_stored"]))
    assert [line["LineAmount"] for line in materials] == [amount(item["materials_presently_stored"])]
    assert bill["lines_total"] == bill["net_due"] == amount(stored.iloc[0]["summary"]["current_payment_due"])


def test_every_payload_is_valid_against_xero_schemas(frames: dict[str, pd.DataFrame]) -> None:
    """Each payload wrapped as the loader sends it, through JSON, checked against Xero's official spec."""
    schemas, contract = BodySchemas(SPEC_PATH), PublishedContract.load(SPEC_PATH)
    assert schemas.validators, f"no Xero spec at {SPEC_PATH}"
    checked, errors = 0, []
    for name in ("options", "items", "contacts", "purchase_orders", "bills", "sales_invoices"):
        frame = frames[name]
        key = TARGETS[frame["target_type"].iloc[0]].key
        body = json.loads(dumps({key: frame["payload"].tolist()}))
        for element, label in zip(body[key], frame["label"], strict=True):
            errors += [f"{label}: {error}" for error in schemas.errors(ELEMENT_SCHEMA[key], element)]
            unknown = contract.unknown_fields(ELEMENT_SCHEMA[key], element)  # Xero would ignore them
            errors += [f"{label}: {name} is not in Xero's {ELEMENT_SCHEMA[key]}" for name in unknown]
            checked += 1
    assert checked == sum(len(frames[n]) for n in ("options", "items", "contacts")) + len(
        frames["purchase_orders"]
    ) + len(frames["bills"]) + len(frames["sales_invoices"])
    # The only violations: the seed's over-long item codes, never cut, which validation holds.
    assert errors == [
        f"Item {code} ({name}): Code must be no more than 30 characters long"
        for code, name in zip(
            frames["items"]["code"], frames["items"]["payload"].map(lambda p: p["Name"]), strict=True
        )
        if len(code) > 30
    ]
    assert len(errors) == 5


def test_purchase_orders_only_approved_with_unique_numbers(frames: dict[str, pd.DataFrame]) -> None:
    pos, commitments = frames["purchase_orders"], frames["commitments"]
    assert len(pos) == commitments["status"].isin(["Approved", "Complete"]).sum() == 350
    assert pos["number"].is_unique and not pos["remaining_budget"].isna().any()
    assert (pos["total"] > pos["remaining_budget"]).sum() == 17
    assert (pos["contact_mapped"] & (pos["unmapped_lines"] == 0)).all()


def test_sampled_purchase_order_lines_change_orders_and_budget(frames: dict[str, pd.DataFrame]) -> None:
    pos = frames["purchase_orders"]
    po = pos[pos["change_order_ids"].map(len) > 0].iloc[0]
    commitment = frames["commitments"][frames["commitments"]["id"].astype(str) == po["commitment_id"]].iloc[0]
    sov = frames["commitment_line_items"]
    sov = sov[sov["holder"].map(lambda h: str(h["id"])) == po["commitment_id"]].sort_values("position")
    ccos = frames["commitment_change_orders"]
    ccos = ccos[ccos["id"].astype(str).isin(po["change_order_ids"])].sort_values("number")
    assert (ccos["status"] == "approved").all() and len(ccos) == len(po["change_order_ids"])
    lines = po["payload"]["LineItems"]
    assert [line["Description"] for line in lines] == [
        *sov["description"],
        *(f"Change order {o['number']}: {o['title']}" for o in ccos.to_dict("records")),
    ]
    change_lines = lines[len(sov) :]
    assert [line["LineAmount"] for line in change_lines] == list(ccos["grand_total"].map(amount))
    assert not any("ItemCode" in line for line in change_lines)  # Procore publishes no cost code for them
    assert [(line["Quantity"], line["UnitAmount"]) for line in lines[: len(sov)]] == list(
        zip(sov["quantity"].map(amount), sov["unit_cost"].map(amount), strict=True)
    )
    expected_total = sum(sov["amount"].map(amount), Decimal(0)) + sum(
        ccos["grand_total"].map(amount), Decimal(0)
    )
    assert po["total"] == expected_total == sum((line["LineAmount"] for line in lines), Decimal(0))
    assert po["payload"]["PurchaseOrderNumber"].endswith("-" + commitment["number"])
    assert po["payload"]["Date"] == commitment["created_at"][:10]
    assert po["payload"]["Reference"] == commitment["title"]
    ship_via = commitment.get("ship_via")  # purchase orders only: work orders have no such field
    assert po["payload"].get("DeliveryInstructions") == (ship_via if isinstance(ship_via, str) else None)
    assert po["remaining_budget"] == _remaining_budget(frames, po["commitment_id"])


def _remaining_budget(frames: dict[str, pd.DataFrame], commitment_id: str) -> Decimal:
    """The figure recomputed record by record from staging: on the commitment's budget codes, the budget
    view's Revised Budget minus Committed Costs (which count this commitment), plus the commitment itself."""
    types = {t["id"]: t["code"] for t in frames["line_item_types"].to_dict("records")}
    own = [
        r
        for r in frames["commitment_line_items"].to_dict("records")
        if str(r["holder"]["id"]) == commitment_id
    ]
    own_keys = {(r["cost_code"]["id"], r["line_item_type"]["code"]) for r in own}
    rows = [
        r
        for r in frames["budget_view_detail_rows"].to_dict("records")
        if (r["cost_code_id"], types[r["category_id"]]) in own_keys
    ]
    orders = [
        amount(o["grand_total"])
        for o in frames["commitment_change_orders"].to_dict("records")
        if str(o["contract_id"]) == commitment_id and o["status"] == "approved"
    ]
    left = sum((Decimal(r["Revised Budget"]) - Decimal(r["Committed Costs"]) for r in rows), Decimal(0))
    return left + sum((amount(r["amount"]) for r in own), Decimal(0)) + sum(orders, Decimal(0))


def test_sampled_sales_invoice_matches_its_payment_application(frames: dict[str, pd.DataFrame]) -> None:
    sales, applications = frames["sales_invoices"], frames["payment_applications"]
    assert len(sales) == (applications["status"] == "approved").sum() == 68
    assert (sales["lines_total"] == sales["net_due"]).all() and sales["owner_contact_mapped"].all()
    invoice = sales[sales["project_id"].isin(_cad_project_ids(frames))].iloc[-1]
    source = applications[applications["id"].astype(str) == invoice["source_id"]].iloc[0]
    contracts = frames["prime_contracts"]
    contract = contracts[contracts["id"] == source["contract"]["id"]].iloc[0]
    payload, g702, g703 = invoice["payload"], source["g702"], source["g703"]
    assert payload["Type"] == "ACCREC" and payload["CurrencyCode"] == "CAD"
    assert payload["Contact"] == {"ContactID": f"contact-{contract['vendor']['id']}"}
    assert (payload["InvoiceNumber"], payload["Reference"]) == (
        source["invoice_number"],
        str(source["number"]),
    )
    lines = payload["LineItems"]
    billed = [i for i in g703 if amount(i["work_completed_this_period"]) != 0]
    assert [line["LineAmount"] for line in lines[: len(billed)]] == [
        amount(i["work_completed_this_period"]) for i in billed
    ]
    assert all(line["AccountCode"] == "200" for line in lines[: len(billed)])
    assert all(line["ItemCode"].endswith("-S") for line in lines[: len(billed)])  # prime lines' cost type
    retainage = lines[len(billed) :]
    assert [(line["ItemCode"], line["AccountCode"]) for line in retainage] == [("RETAINAGE", "821")]
    retained = sum((amount(i["work_completed_retainage_retained_this_period"]) for i in g703), Decimal(0))
    assert retainage[0]["LineAmount"] == -retained < 0
    assert sum((line["LineAmount"] for line in lines), Decimal(0)) == amount(g702["current_payment_due"])


def _cad_project_ids(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Procore publishes no project currency: a CAD project's prime contract is in CAD."""
    contracts = frames["prime_contracts"]
    cad = contracts["currency_configuration"].map(lambda c: c["currency_iso_code"] == "CAD")
    return set(contracts[cad][STAGED_PROJECT].astype(str))
