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
    statuses = Counter(r["status"] for r in seed["requisitions"])
    assert statuses["approved"] > 0.85 * len(seed["requisitions"])
    assert sum(r["summary"]["current_payment_due"] < 0 for r in seed["requisitions"]) == 3
    assert sum(r["summary"]["retainage_released_this_period"] > 0 for r in seed["requisitions"]) >= 5
    percents = {r["retainage_percent"] for r in seed["requisitions"]}
    assert percents <= {0.0, 5.0, 10.0} and 5.0 in percents and 10.0 in percents
    for invoice in seed["requisitions"]:
        for item in invoice["items"]:
            line = lines[item["line_item_id"]]
            assert line["contract_id"] == invoice["commitment_id"]
            assert Decimal(str(item["total_completed_and_stored_to_date"])) <= Decimal(str(line["amount"]))
    paid = {r["invoice_number"]: r for r in seed["requisitions"]}
    for payment in seed["contract_payments"]:
        assert payment["amount"] == paid[payment["invoice_number"]]["summary"]["current_payment_due"]
    timestamps = [r["updated_at"] for k in ("requisitions", "vendors", "projects") for r in seed[k]]
    assert min(timestamps) >= "2025-01-01" and max(timestamps) <= "2026-11-01"
