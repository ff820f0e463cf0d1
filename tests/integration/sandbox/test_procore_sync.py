"""Procore writes over HTTP: sync actions, origin_id uniqueness, and records owned by another integration."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


def D(value: Any) -> Decimal:
    """An amount as Procore sends it (a string, or a number before the contract is served) exactly."""
    return Decimal(str(value))


def test_vendor_sync_mixes_creates_updates_and_errors(sandbox):
    api = ProcoreApi(sandbox)
    existing = api.state()["vendors"][10]
    updates = [
        {"origin_id": "XERO-C-1", "name": "Nueva Vendor LLC", "city": "Austin"},
        {"id": existing["id"], "business_phone": "(303) 555-0000"},
        {"id": 1, "name": "Ghost"},
        {"origin_id": "XERO-C-2"},
    ]
    body = api.call("PATCH", f"{V10}/vendors/sync", json={"company_id": api.company_id, "updates": updates})
    assert body.status_code == 200
    result = body.json()
    assert [e["name"] for e in result["entities"]] == ["Nueva Vendor LLC", existing["name"]]
    assert result["entities"][1]["business_phone"] == "(303) 555-0000"
    assert result["errors"] == [
        {"id": 1, "name": "Ghost", "errors": {"id": ["Entity with this ID not found"]}},
        {"origin_id": "XERO-C-2", "errors": {"name": ["can't be blank"]}},
    ]
    again = api.call(
        "PATCH",
        f"{V10}/vendors/sync",
        json={"company_id": api.company_id, "updates": [{"origin_id": "XERO-C-1", "city": "Denver"}]},
    )
    entity = again.json()["entities"][0]
    assert entity["id"] == result["entities"][0]["id"] and entity["city"] == "Denver"
    assert sum(1 for v in api.state()["vendors"] if v["origin_id"] == "XERO-C-1") == 1


def test_sync_rejects_more_than_1000_records(sandbox):
    api = ProcoreApi(sandbox)
    updates = [{"origin_id": f"bulk-{n}", "name": f"Bulk {n}"} for n in range(1001)]
    too_many = api.call(
        "PATCH", f"{V10}/vendors/sync", json={"company_id": api.company_id, "updates": updates}
    )
    assert too_many.status_code == 413 and "1001" in too_many.json()["errors"]
    assert len(api.state()["vendors"]) == 300
    ok = api.call(
        "PATCH", f"{V10}/vendors/sync", json={"company_id": api.company_id, "updates": updates[:1000]}
    )
    assert ok.status_code == 200 and len(ok.json()["entities"]) == 1000 and ok.json()["errors"] == []


def test_origin_id_is_unique_per_company_and_type(sandbox):
    api = ProcoreApi(sandbox)
    first = api.call(
        "POST",
        f"{V10}/vendors",
        json={"company_id": api.company_id, "vendor": {"name": "One", "origin_id": "DUP-1"}},
    )
    assert first.status_code == 201 and first.json()["origin_id"] == "DUP-1"
    clash = api.call(
        "POST",
        f"{V10}/vendors",
        json={"company_id": api.company_id, "vendor": {"name": "Two", "origin_id": "DUP-1"}},
    )
    assert clash.status_code == 422
    assert clash.json()["errors"]["origin_id"][0].startswith("has already been taken")
    project = api.first_project()
    code = {"name": "Other type, same origin", "code": "99-999", "origin_id": "DUP-1"}
    other_type = api.call("POST", f"{V10}/cost_codes", json={"project_id": project["id"], "cost_code": code})
    assert other_type.status_code == 201


def test_records_owned_by_another_integration_are_read_only(sandbox):
    api = ProcoreApi(sandbox)
    owned = next(d for d in api.state()["direct_costs"] if d["origin_id"])
    path = f"{V11}/projects/{owned['project_id']}/direct_costs"
    refused = api.call("PATCH", f"{path}/{owned['id']}", json={"direct_cost": {"description": "mine now"}})
    assert refused.status_code == 422
    assert "another integration" in refused.json()["errors"]["origin_id"][0]
    synced = api.call(
        "PATCH",
        f"{V10}/projects/{owned['project_id']}/direct_costs/sync",
        json={"updates": [{"origin_id": owned["origin_id"], "status": "draft"}]},
    )
    assert synced.status_code == 200 and synced.json()["entities"] == []
    assert "another integration" in synced.json()["errors"][0]["errors"]["origin_id"][0]
    assert api.call("DELETE", f"{path}/{owned['id']}").status_code == 422
    legacy = ProcoreApi(sandbox, client_index=1)
    allowed = legacy.call(
        "PATCH", f"{path}/{owned['id']}", json={"direct_cost": {"description": "owner edit"}}
    )
    assert allowed.status_code == 200 and allowed.json()["description"] == "owner edit"


def test_direct_cost_sync_creates_then_lines_sync_and_reports_bad_rows(sandbox):
    """v1.0 sync action without lines (v1.1 has none), then the lines through their own sync action."""
    api = ProcoreApi(sandbox)
    project = api.first_project()
    vendor = api.get(f"{V10}/vendors").json()[0]
    code = api.get(f"{V10}/cost_codes", project_id=project["id"]).json()[0]
    kind = api.get(f"{V10}/line_item_types").json()[1]
    base = {"vendor_id": vendor["id"], "invoice_number": "BT-1", "direct_cost_date": "2026-10-01"}
    updates = [
        {**base, "origin_id": "xero-bt-1", "direct_cost_type": "expense", "status": "approved"},
        {**base, "origin_id": "xero-bt-2", "direct_cost_type": "refund"},
        {**base, "origin_id": "xero-bt-3", "direct_cost_type": "invoice", "direct_cost_date": "01/10/2026"},
        {"origin_id": "xero-bt-4", "direct_cost_type": "invoice", "direct_cost_date": "2026-10-01"},
    ]
    costs = f"{V10}/projects/{project['id']}/direct_costs"
    assert api.call(
        "PATCH", f"{V11}/projects/{project['id']}/direct_costs/sync", json={"updates": []}
    ).status_code in (
        404,
        405,
    )
    result = api.call("PATCH", f"{costs}/sync", json={"updates": updates}).json()
    [cost] = result["entities"]
    assert (cost["origin_id"], cost["line_items_count"], D(cost["grand_total"])) == ("xero-bt-1", 0, D("0"))
    assert cost["vendor"] == {"id": vendor["id"], "name": vendor["name"]} and "line_items" not in cost
    reasons = {e["origin_id"]: e["errors"] for e in result["errors"]}
    assert "must be one of invoice, expense, payroll" in reasons["xero-bt-2"]["direct_cost_type"][0]
    assert "YYYY-MM-DD" in reasons["xero-bt-3"]["direct_cost_date"][0]
    assert set(reasons["xero-bt-4"]) == {"invoice_number", "vendor_id"}
    line = {"cost_code_id": code["id"], "line_item_type_id": kind["id"], "direct_cost_id": cost["id"]}
    lines = [
        {**line, "origin_id": "xero-bt-1:1", "quantity": 3, "unit_cost": "19.99", "amount": "59.97"},
        {**line, "origin_id": "xero-bt-1:2", "quantity": 1, "unit_cost": "0.03", "amount": "0.03"},
        {**line, "origin_id": "xero-bt-1:3", "amount": "1.00", "direct_cost_id": 1},
    ]
    answer = api.call("PATCH", f"{costs}/line_items/sync", json={"updates": lines}).json()
    assert [(e["origin_id"], D(e["amount"]), e["holder"]["id"]) for e in answer["entities"]] == [
        ("xero-bt-1:1", D("59.97"), cost["id"]),
        ("xero-bt-1:2", D("0.03"), cost["id"]),
    ]
    assert "does not exist in project" in answer["errors"][0]["errors"]["direct_cost_id"][0]
    again = api.call(
        "PATCH",
        f"{costs}/line_items/sync",
        json={"updates": [{"origin_id": "xero-bt-1:2", "amount": "0.05"}]},
    ).json()
    assert [D(e["amount"]) for e in again["entities"]] == [D("0.05")]
    shown = api.get(f"{V11}/projects/{project['id']}/direct_costs/{cost['id']}").json()
    assert D(shown["grand_total"]) == D("60.02") and len(shown["line_items"]) == 2
    listed = api.get(costs, **{"filters[origin_id]": "xero-bt-1"}).json()
    assert [(c["vendor"], c["vendor_id"], D(c["amount"])) for c in listed] == [
        (vendor["name"], vendor["id"], D("60.02"))
    ]
    assert "line_items" not in listed[0]


def test_contract_payments_have_no_sync_action_and_origin_id_stays_unique(sandbox):
    """Procore's payments issued are created one per POST (its API lists no sync action for them); the
    origin_id keeps a re-sent payment from becoming a second one, and finds it again."""
    api = ProcoreApi(sandbox)
    project = api.first_project()
    contract = next(
        c
        for c in api.state()["work_order_contracts"]
        if c["project"]["id"] == project["id"] and c["status"] == "Approved"
    )
    sync = api.call(
        "PATCH", f"{V10}/contract_payments/sync", json={"project_id": project["id"], "updates": []}
    )
    assert sync.status_code in (404, 405)
    payment = {
        "origin_id": "xero-pay-1",
        "amount": "1234.56",
        "date": "2026-10-15",
    }
    body = {"project_id": project["id"], "contract_id": contract["id"], "contract_payment": payment}
    created = api.call("POST", f"{V10}/contract_payments", json=body)
    assert created.status_code == 201, created.text
    again = api.call("POST", f"{V10}/contract_payments", json=body)
    assert again.status_code == 422 and "has already been taken" in again.json()["errors"]["origin_id"][0]
    found = [
        p
        for p in api.get(
            f"{V10}/contract_payments", project_id=project["id"], contract_id=contract["id"]
        ).json()
        if p["origin_id"] == "xero-pay-1"
    ]
    assert [(p["id"], D(p["amount"])) for p in found] == [(created.json()["id"], D("1234.56"))]
