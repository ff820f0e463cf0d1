"""The Procore half of the demo seed: deterministic, the right sizes, the special cases the sync must meet."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from decimal import Decimal

import pytest

from sandbox.seed.procore_seed import COMPANY_ID, generate_procore


@pytest.fixture(scope="module")
def seed() -> dict:
    return generate_procore(random.Random(2026), 1.0)


def test_same_arguments_same_data_and_fast():
    started = time.perf_counter()
    first = generate_procore(random.Random(7), 1.0)
    assert time.perf_counter() - started < 2.0
    assert json.dumps(first) == json.dumps(generate_procore(random.Random(7), 1.0))
    assert json.dumps(first) != json.dumps(generate_procore(random.Random(8), 1.0))


def test_counts_at_scale_one_and_half(seed):
    assert len(seed["companies"]) == 1 and seed["companies"][0]["id"] == COMPANY_ID > 2**31
    assert len(seed["projects"]) == 25 and len(seed["vendors"]) == 300
    assert len(seed["requisitions"]) == 2000
    assert len(seed["work_order_contracts"]) + len(seed["purchase_order_contracts"]) == pytest.approx(
        400, abs=15
    )
    half = generate_procore(random.Random(2026), 0.5)
    assert len(half["projects"]) == 12 and len(half["vendors"]) == 150 and len(half["requisitions"]) == 1000


def test_projects_stages_numbers_and_currencies(seed):
    stages = {s["name"] for s in seed["project_stages"]}
    assert {"Send to Xero", "Pre-Construction", "Course of Construction", "Closeout"} <= stages
    assert sum(p["project_number"] is None for p in seed["projects"]) == 1
    assert not any("currency_configuration" in p for p in seed["projects"])  # Procore publishes none
    currencies = Counter(c["currency_configuration"]["currency_iso_code"] for c in seed["prime_contracts"])
    assert currencies == {"USD": 24, "CAD": 1}  # one owner contract per project, in its currency
    assert 0 < sum(p["project_stage"]["name"] != "Send to Xero" for p in seed["projects"]) < 25
    numbers = [p["project_number"] for p in seed["projects"] if p["project_number"]]
    assert len(numbers) == len(set(numbers))


def test_vendors_include_near_duplicates_and_non_ascii(seed):
    names = {v["name"] for v in seed["vendors"]}
    assert {
        "Acme Concrete LLC",
        "ACME Concrete, LLC",
        "Łukasz Électricité SARL",
        "Müller Drywall GmbH",
        "José Peña Roofing",
    } <= names
    for vendor in seed["vendors"]:
        assert {
            "id",
            "name",
            "address",
            "city",
            "state_code",
            "zip",
            "country_code",
            "business_phone",
            "fax_number",
            "email_address",
            "is_active",
        } <= set(vendor)


def test_cost_codes_types_and_the_one_too_long_for_xero(seed):
    assert [t["code"] for t in seed["line_item_types"]] == ["L", "M", "S", "E", "O"]
    long = [c for c in seed["cost_codes"] if len(c["full_code"]) + 1 > 30]
    assert len(long) == 1


def test_invoices_are_coherent_with_their_commitments(seed):
    lines = {li["id"]: li for li in seed["commitment_line_items"]}
    commitments = {c["id"]: c for k in ("work_order_contracts", "purchase_order_contracts") for c in seed[k]}
    statuses = Counter(r["status"] for r in seed["requisitions"])
    assert statuses["approved"] > 0.85 * len(seed["requisitions"])
    assert sum(r["summary"]["current_payment_due"] < 0 for r in seed["requisitions"]) == 3
    released = [
        r
        for r in seed["requisitions"]
        if any(i["work_completed_retainage_released_this_period"] for i in r["items"])
    ]
    assert len(released) >= 5
    percents = {r["summary"]["completed_work_retainage_percent"] for r in seed["requisitions"]}
    assert percents <= {0.0, 5.0, 10.0} and 5.0 in percents and 10.0 in percents
    for invoice in seed["requisitions"]:
        commitment = commitments[invoice["commitment_id"]]
        assert invoice["vendor_id"] == commitment["vendor"]["id"]
        assert invoice["summary"]["completed_work_retainage_percent"] == commitment["retainage_percent"]
        for item in invoice["items"]:
            line = lines[item["line_item_id"]]
            assert line["holder"]["id"] == invoice["commitment_id"]
            assert Decimal(str(item["total_completed_and_stored_to_date"])) <= Decimal(str(line["amount"]))
    paid = {r["invoice_number"]: r for r in seed["requisitions"]}
    for payment in seed["contract_payments"]:
        assert payment["amount"] == paid[payment["invoice_number"]]["summary"]["current_payment_due"]
    timestamps = [r["updated_at"] for k in ("requisitions", "vendors", "projects") for r in seed[k]]
    assert min(timestamps) >= "2025-01-01" and max(timestamps) <= "2026-11-01"


def test_commitments_budgets_and_change_orders_in_their_published_shapes(seed):
    """Vendors as {id, company}, the project as {id, name}, each type's own statuses, no change order
    lines, budget lines without the emulator's old columns, views pointing to their rows."""
    published = {
        "work_order_contracts": {"Draft", "Approved", "Void"},  # of Draft, Out For Bid, ..., Void
        "purchase_order_contracts": {"Draft", "Approved", "Processing"},  # Procore's PO list has no Void
    }
    projects = {p["id"]: p["name"] for p in seed["projects"]}
    for collection, statuses in published.items():
        assert {c["status"] for c in seed[collection]} == statuses
        for commitment in seed[collection]:
            assert set(commitment["vendor"]) == {"id", "company"} and "project_id" not in commitment
            assert commitment["project"] == {
                "id": commitment["project"]["id"],
                "name": projects[commitment["project"]["id"]],
            }
    commitments = {c["id"]: c for k in published for c in seed[k]}
    holders = {"WorkOrderContract": "SC-", "PurchaseOrderContract": "PO-"}
    for line in seed["commitment_line_items"]:
        assert "contract_id" not in line and "project_id" not in line
        assert commitments[line["holder"]["id"]]["number"].startswith(holders[line["holder"]["holder_type"]])
        assert line["project"] == commitments[line["holder"]["id"]]["project"]
    orders = seed["commitment_change_orders"]
    assert len(orders) > 50 and not any("line_items" in o or "project_id" in o for o in orders)
    hidden = {line["change_order_id"]: line for line in seed["change_order_line_items"]}
    assert all(hidden[o["id"]]["amount"] == o["grand_total"] for o in orders)
    for item in seed["budget_line_items"]:
        assert not {"project_id", "budget_modifications", "approved_cos", "revised_budget"} & set(item)
        assert set(item["line_item_type"]) == {"id", "name"}
    assert sum(i["approved_budget_changes"] > 0 for i in seed["budget_line_items"]) > 20
    for view in seed["budget_views"]:
        assert "project_id" not in view
        assert view["links"]["detail_rows"].startswith(
            f"/rest/v1.0/budget_views/{view['id']}/detail_rows?project_id="
        )
