"""Procore financials over HTTP: G702 arithmetic, schedules of values, budget detail rows, state, stats."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


def D(value) -> Decimal:
    return Decimal(str(value))


def _check_g702(invoice: dict) -> None:
    s = {k: D(v) for k, v in invoice["summary"].items()}
    items = invoice["items"]
    assert s["total_completed_and_stored_to_date"] == sum(
        D(i["total_completed_and_stored_to_date"]) for i in items
    )
    assert s["total_retainage"] == sum(D(i["total_retainage_currently_retained"]) for i in items)
    assert s["total_earned_less_retainage"] == s["total_completed_and_stored_to_date"] - s["total_retainage"]
    assert (
        s["current_payment_due"]
        == s["total_earned_less_retainage"] - s["less_previous_certificates_for_payment"]
    )
    for i in items:
        assert D(i["total_completed_and_stored_to_date"]) <= D(i["scheduled_value"])
        assert D(i["total_retainage_currently_retained"]) == D(
            i["work_completed_retainage_from_previous_application"]
        ) + D(i["work_completed_retainage_retained_this_period"]) - D(
            i["work_completed_retainage_released_this_period"]
        )


def test_every_seeded_invoice_and_pay_app_obeys_g702(sandbox):
    state = ProcoreApi(sandbox).state()
    for invoice in state["requisitions"] + state["payment_applications"]:
        _check_g702(invoice)
    by_commitment: dict[int, list[dict]] = {}
    for invoice in state["requisitions"]:
        by_commitment.setdefault(invoice["commitment_id"], []).append(invoice)
    for chain in by_commitment.values():
        chain.sort(key=lambda r: r["number"])
        for before, after in pairwise(chain):
            assert (
                after["summary"]["less_previous_certificates_for_payment"]
                == before["summary"]["total_earned_less_retainage"]
            )


def test_created_invoice_computes_g702_to_the_cent(sandbox):
    api = ProcoreApi(sandbox)
    pid = api.first_project()["id"]
    vendor = api.state()["vendors"][30]
    new = {"title": "Framing", "vendor_id": vendor["id"], "retainage_percent": 10}
    commitment = api.call(
        "POST", f"{V10}/work_order_contracts", json={"project_id": pid, "work_order_contract": new}
    ).json()
    code = api.get(f"{V10}/cost_codes", project_id=pid).json()[0]
    kind = next(t for t in api.get(f"{V10}/line_item_types").json() if t["code"] == "S")
    sov = {
        "cost_code_id": code["id"],
        "line_item_type_id": kind["id"],
        "description": "Framing",
        "amount": 20000,
    }
    path = f"{V10}/work_order_contracts/{commitment['id']}/line_items"
    assert api.call("POST", path, json={"project_id": pid, "line_item": sov}).status_code == 201
    approve = {"project_id": pid, "work_order_contract": {"status": "Approved"}}
    assert (
        api.call("PATCH", f"{V10}/work_order_contracts/{commitment['id']}", json=approve).status_code == 200
    )
    lines = api.get(path, project_id=pid).json()
    body = {
        "project_id": pid,
        "commitment_id": commitment["id"],
        "requisition": {
            "invoice_number": "INV-T1",
            "billing_date": "2026-10-31",
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
            "items": [{"line_item_id": lines[0]["id"], "work_completed_this_period": 1234.55}],
        },
    }
    created = api.call("POST", f"{V10}/requisitions", json=body)
    assert created.status_code == 201
    invoice = created.json()
    assert invoice["summary"]["total_completed_and_stored_to_date"] == "1234.55"  # Procore's strings
    assert invoice["summary"]["total_retainage"] == "123.46"  # 10 % of 1,234.55, rounded half-up
    assert invoice["summary"]["current_payment_due"] == "1111.09"
    assert (
        '"current_payment_due":"1111.09"' in created.text
        and '"less_previous_certificates_for_payment":"0.00"' in created.text
    )
    _check_g702(invoice)
    release = {
        **body,
        "requisition": {
            "items": [
                {
                    "line_item_id": lines[0]["id"],
                    "work_completed_this_period": 0,
                    "work_completed_retainage_released_this_period": 123.46,
                }
            ]
        },
    }
    second = api.call("POST", f"{V10}/requisitions", json=release).json()
    assert second["number"] == 2 and second["summary"]["less_previous_certificates_for_payment"] == "1111.09"
    assert (
        second["summary"]["current_payment_due"] == "123.46"
        and second["summary"]["total_retainage"] == "0.00"
    )
    over = {
        **body,
        "requisition": {
            "items": [{"line_item_id": lines[0]["id"], "work_completed_this_period": lines[0]["amount"]}]
        },
    }
    refused = api.call("POST", f"{V10}/requisitions", json=over)
    assert (
        refused.status_code == 422
        and "exceed the scheduled value" in refused.json()["errors"]["work_completed_this_period"][0]
    )
    listed = api.get(
        f"{V11}/requisitions", project_id=pid, **{"filters[commitment_id]": commitment["id"]}
    ).json()
    assert [r["number"] for r in listed] == [1, 2]


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
