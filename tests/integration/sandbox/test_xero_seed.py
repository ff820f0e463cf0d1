"""The Xero half of the demo seed: deterministic, the promised counts, the special cases the sync meets."""

from __future__ import annotations

import json
import random
import time

from sandbox.seed.xero_seed import generate_xero

VENDORS = [
    {
        "id": i,
        "name": name,
        "address": "1 Main St",
        "city": "Austin",
        "state_code": "TX",
        "zip": "78701",
        "country_code": "US",
        "business_phone": "",
        "fax_number": "",
        "email_address": f"ap{i}@example.com",
        "is_active": True,
    }
    for i, name in enumerate(
        [
            "Apex Concrete, Inc.",
            "Baker Electric LLC",
            "Cobalt Plumbing & Heating",
            "Dune Excavation",
            "Eagle Steel Erectors",
            "Falcon Roofing",
            "Granite Masonry",
            "Harbor Glass",
            "Iron Ridge Framing",
            "Jade Painting",
        ]
    )
]
PROCORE = {"vendors": VENDORS, "projects": []}


def test_same_arguments_same_data():
    first = generate_xero(random.Random(7), 1.0, PROCORE)
    second = generate_xero(random.Random(7), 1.0, PROCORE)
    other = generate_xero(random.Random(8), 1.0, PROCORE)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert json.dumps(first, sort_keys=True) != json.dumps(other, sort_keys=True)


def test_counts_and_tenants_and_speed():
    started = time.perf_counter()
    seed = generate_xero(random.Random(1), 1.0, PROCORE)
    assert time.perf_counter() - started < 2
    main, sister = seed["tenants"]
    assert len(main["contacts"]) == 120 and len(main["invoices"]) == 150
    assert len(main["bank_transactions"]) == 200 and len(main["purchase_orders"]) == 4
    assert {i["Type"] for i in main["invoices"]} == {"ACCPAY", "ACCREC"}
    assert sum(1 for i in main["invoices"] if i["Status"] == "PAID") > 0 and main["payments"]
    assert main["organisation"]["BaseCurrency"] == "USD" and [c["Code"] for c in main["currencies"]] == [
        "USD",
        "CAD",
    ]
    assert [c["Code"] for c in sister["currencies"]] == ["USD"] and sister["tier"] == "starter"
    assert len(sister["contacts"]) == 3
    half = generate_xero(random.Random(1), 0.5, PROCORE)["tenants"][0]
    assert len(half["contacts"]) == 60 and len(half["invoices"]) == 75


def test_special_cases_for_the_sync():
    seed = generate_xero(random.Random(3), 1.0, PROCORE)
    main = seed["tenants"][0]
    names = [c["Name"] for c in main["contacts"]]
    vendor_names = [v["name"] for v in VENDORS]
    assert sum(1 for n in names if n in vendor_names) == 3  # exact matches
    near = [
        n
        for n in names
        if n not in vendor_names
        and any(
            n.strip().lower().replace(",", "").replace(" llc", "")
            in v.lower().replace(",", "").replace("&", "and")
            or v.lower() in n.lower()
            for v in vendor_names
        )
    ]
    assert near  # case / punctuation / LLC variants
    assert any(not n.isascii() for n in names)
    assert [c["Name"] for c in main["tracking_categories"]] == ["Region"]
    assert [o["Name"] for o in main["tracking_categories"][0]["Options"]] == ["East", "West"]
    codes = {a["Code"]: a["Type"] for a in main["accounts"]}
    assert codes["090"] == "BANK" and codes["200"] == "REVENUE" and codes["310"] == "DIRECTCOSTS"
    assert codes["820"] == "CURRLIAB"
    apps = {a["kind"]: a for a in seed["apps"]}
    assert apps["oauth_app"]["tenant_ids"] == [main["tenant_id"], seed["tenants"][1]["tenant_id"]]
    assert apps["custom_connection"]["tenant_ids"] == [main["tenant_id"]]
    assert apps["oauth_app"]["refresh_token"] and apps["custom_connection"]["refresh_token"] is None
