"""Procore financials over HTTP: schedules of values, budget detail rows, state, stats (subcontractor
invoices: test_procore_requisitions.py; owner invoices' G702 arithmetic: test_procore_owner_and_costs.py)."""

from __future__ import annotations

from decimal import Decimal

from tests.integration.sandbox.procore_api import V10, ProcoreApi


def D(value) -> Decimal:
    return Decimal(str(value))


def test_schedule_of_values_locked_once_approved(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    pid = project["id"]
    vendor = api.state()["vendors"][20]
    draft = api.call(
        "POST",
        f"{V10}/purchase_order_contracts",
        json={
            "project_id": pid,
            "purchase_order_contract": {
                "title": "Rebar supply",
                "vendor_id": vendor["id"],
                "ship_via": "Supplier truck",
            },
        },
    ).json()
    assert draft["status"] == "Draft" and draft["number"].startswith("PO-") and draft["grand_total"] == "0.00"
    code = api.get(f"{V10}/cost_codes", project_id=pid).json()[0]
    kind = next(t for t in api.get(f"{V10}/line_item_types").json() if t["code"] == "M")
    line = {
        "cost_code_id": code["id"],
        "line_item_type_id": kind["id"],
        "description": "#5 rebar",
        "quantity": 120,
        "unit_cost": 45.5,
    }
    path = f"{V10}/purchase_order_contracts/{draft['id']}/line_items"
    added = api.call("POST", path, json={"project_id": pid, "line_item": line})
    assert added.status_code == 201 and added.json()["amount"] == "5460.00"
    shown = api.get(f"{V10}/purchase_order_contracts/{draft['id']}", project_id=pid).json()
    assert shown["grand_total"] == "5460.00"
    approve = {"project_id": pid, "purchase_order_contract": {"status": "approved"}}
    assert (
        api.call("PATCH", f"{V10}/purchase_order_contracts/{draft['id']}", json=approve).json()["status"]
        == "Approved"
    )
    locked = api.call("POST", path, json={"project_id": pid, "line_item": line})
    assert locked.status_code == 422 and "Approved" in locked.json()["errors"]["status"][0]
    undeletable = api.call(
        "DELETE", f"{V10}/purchase_order_contracts/{draft['id']}", params={"project_id": pid}
    )
    assert undeletable.status_code == 422
    bad_vendor = api.call(
        "POST",
        f"{V10}/purchase_order_contracts",
        json={"project_id": pid, "purchase_order_contract": {"title": "x", "vendor_id": 7}},
    )
    assert (
        bad_vendor.status_code == 422
        and "vendor 7 does not exist" in bad_vendor.json()["errors"]["vendor_id"][0]
    )


def test_state_and_stats_report_what_happened(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "DELETE", "stats")
    api.get(f"{V10}/vendors", per_page=1)
    api.get(f"{V10}/vendors/1")
    created = api.call(
        "POST", f"{V10}/vendors", json={"company_id": api.company_id, "vendor": {"name": "Stats Roofing"}}
    ).json()
    stats = sandbox.admin("procore", "GET", "stats")
    assert stats["calls"] == {
        "GET /rest/v1.0/vendors": 1,
        "GET /rest/v1.0/vendors/{record_id:int}": 1,
        "POST /rest/v1.0/vendors": 1,
    }
    assert stats["statuses"] == {"200": 1, "201": 1, "404": 1}
    state = api.state()
    assert state["vendors"][-1] == {**created, "origin_id": None}
    assert len(state["vendors"]) == 301 and len(state["requisitions"]) == 2000
    assert {o["client_id"] for o in state["origin_owners"]} == {"legacy-erp-connector"}
