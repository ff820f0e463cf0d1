"""Procore writes over HTTP: sync actions, origin_id uniqueness, and records owned by another integration."""

from __future__ import annotations

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


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
        "PATCH", f"{V10}/vendors/sync", json={"updates": [{"origin_id": "XERO-C-1", "city": "Denver"}]}
    )
    entity = again.json()["entities"][0]
    assert entity["id"] == result["entities"][0]["id"] and entity["city"] == "Denver"
    assert sum(1 for v in api.state()["vendors"] if v["origin_id"] == "XERO-C-1") == 1


def test_sync_rejects_more_than_1000_records(sandbox):
    api = ProcoreApi(sandbox)
    updates = [{"origin_id": f"bulk-{n}", "name": f"Bulk {n}"} for n in range(1001)]
    too_many = api.call("PATCH", f"{V10}/vendors/sync", json={"updates": updates})
    assert too_many.status_code == 413 and "1001" in too_many.json()["errors"]
    assert len(api.state()["vendors"]) == 300
    ok = api.call("PATCH", f"{V10}/vendors/sync", json={"updates": updates[:1000]})
    assert ok.status_code == 200 and len(ok.json()["entities"]) == 1000 and ok.json()["errors"] == []


def test_origin_id_is_unique_per_company_and_type(sandbox):
    api = ProcoreApi(sandbox)
    first = api.call("POST", f"{V10}/vendors", json={"vendor": {"name": "One", "origin_id": "DUP-1"}})
    assert first.status_code == 201 and first.json()["origin_id"] == "DUP-1"
    clash = api.call("POST", f"{V10}/vendors", json={"vendor": {"name": "Two", "origin_id": "DUP-1"}})
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
        "PATCH", f"{path}/sync", json={"updates": [{"origin_id": owned["origin_id"], "status": "draft"}]}
    )
    assert synced.status_code == 200 and synced.json()["entities"] == []
    assert "another integration" in synced.json()["errors"][0]["errors"]["origin_id"][0]
    assert api.call("DELETE", f"{path}/{owned['id']}").status_code == 422
    legacy = ProcoreApi(sandbox, client_index=1)
    allowed = legacy.call(
        "PATCH", f"{path}/{owned['id']}", json={"direct_cost": {"description": "owner edit"}}
    )
    assert allowed.status_code == 200 and allowed.json()["description"] == "owner edit"


def test_direct_cost_sync_creates_with_lines_and_reports_bad_rows(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    code = api.get(f"{V10}/cost_codes", project_id=project["id"]).json()[0]
    kind = api.get(f"{V10}/line_item_types").json()[1]
    line = {"cost_code_id": code["id"], "line_item_type_id": kind["id"], "quantity": 3, "unit_cost": 19.99}
    updates = [
        {
            "origin_id": "xero-bt-1",
            "direct_cost_type": "expense",
            "status": "approved",
            "direct_cost_date": "2026-10-01",
            "line_items": [line, {**line, "quantity": 1, "unit_cost": 0.03}],
        },
        {"origin_id": "xero-bt-2", "direct_cost_type": "refund", "direct_cost_date": "2026-10-01"},
        {"origin_id": "xero-bt-3", "direct_cost_type": "invoice", "direct_cost_date": "01/10/2026"},
    ]
    result = api.call(
        "PATCH", f"{V11}/projects/{project['id']}/direct_costs/sync", json={"updates": updates}
    ).json()
    assert len(result["entities"]) == 1
    assert result["entities"][0]["grand_total"] == 60.00  # 3 × 19.99 + 0.03, exact
    assert [line["amount"] for line in result["entities"][0]["line_items"]] == [59.97, 0.03]
    reasons = {e["origin_id"]: e["errors"] for e in result["errors"]}
    assert "must be one of invoice, expense, payroll" in reasons["xero-bt-2"]["direct_cost_type"][0]
    assert "YYYY-MM-DD" in reasons["xero-bt-3"]["direct_cost_date"][0]
    assert (
        api.get(f"{V11}/projects/{project['id']}/direct_costs", **{"filters[origin_id]": "xero-bt-1"}).json()[
            0
        ]["direct_cost_type"]
        == "expense"
    )


def test_contract_payment_sync_upserts_by_origin_id_and_reports_bad_rows(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    contract = next(
        c
        for c in api.state()["work_order_contracts"]
        if c["project_id"] == project["id"] and c["status"] == "Approved"
    )
    path = f"{V10}/contract_payments/sync"
    payment = {
        "origin_id": "xero-pay-1",
        "contract_id": contract["id"],
        "amount": 1234.56,
        "date": "2026-10-15",
    }
    first = api.call("PATCH", path, json={"project_id": project["id"], "updates": [payment]})
    assert first.status_code == 200 and first.json()["errors"] == []
    created = first.json()["entities"][0]
    assert (created["contract_id"], created["amount"], created["date"]) == (
        contract["id"],
        1234.56,
        "2026-10-15",
    )
    before = len(api.state()["contract_payments"])

    resent = {**payment, "amount": 1000.01, "check_number": "CHK 10234"}
    again = api.call("PATCH", path, json={"project_id": project["id"], "updates": [resent]}).json()
    assert again["errors"] == [] and again["entities"][0]["id"] == created["id"]
    assert (again["entities"][0]["amount"], again["entities"][0]["check_number"]) == (1000.01, "CHK 10234")
    assert len(api.state()["contract_payments"]) == before
    assert [p["id"] for p in api.state()["contract_payments"] if p["origin_id"] == "xero-pay-1"] == [
        created["id"]
    ]

    legacy = ProcoreApi(sandbox, client_index=1)
    owned = {**payment, "origin_id": "erp-pay-9", "amount": 50.00}
    legacy_body = {"project_id": project["id"], "updates": [owned]}
    owned_id = legacy.call("PATCH", path, json=legacy_body).json()["entities"][0]["id"]
    mixed = [
        {"origin_id": "erp-pay-9", "amount": 75.00},
        {"origin_id": "xero-pay-2", "contract_id": 999999999, "amount": 10.00, "date": "2026-10-16"},
        {"origin_id": "xero-pay-3", "contract_id": contract["id"], "amount": 20.25, "date": "2026-10-16"},
    ]
    result = api.call("PATCH", path, json={"project_id": project["id"], "updates": mixed})
    assert result.status_code == 200
    body = result.json()
    assert [(e["origin_id"], e["amount"]) for e in body["entities"]] == [("xero-pay-3", 20.25)]
    assert [e["origin_id"] for e in body["errors"]] == ["erp-pay-9", "xero-pay-2"]
    assert "another integration" in body["errors"][0]["errors"]["origin_id"][0]
    assert body["errors"][1]["errors"]["contract_id"] == [
        f"commitment 999999999 does not exist in project {project['id']}"
    ]
    kept = next(p for p in api.state()["contract_payments"] if p["id"] == owned_id)
    assert kept["amount"] == 50.00
    assert len(api.state()["contract_payments"]) == before + 2
