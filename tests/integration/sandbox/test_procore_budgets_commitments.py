"""Budgets, commitments, their schedules of values and change orders, as Procore publishes them."""

from __future__ import annotations

from decimal import Decimal

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi

VIEW_COLUMNS = (
    "Original Budget Amount",
    "Revised Budget",
    "Committed Costs",
    "Direct Costs",
    "Job to Date Costs",
)


def D(value) -> Decimal:
    return Decimal(str(value))


def _project_commitments(state: dict, project_id: int) -> dict[int, dict]:
    return {
        c["id"]: c
        for k in ("work_order_contracts", "purchase_order_contracts")
        for c in state[k]
        if c["project"]["id"] == project_id
    }


def test_budget_detail_rows_carry_the_views_columns_computed_from_the_records(sandbox):
    api = ProcoreApi(sandbox)
    state = api.state()
    project = api.first_project()
    views = api.get(f"{V10}/budget_views", project_id=project["id"]).json()
    assert len(views) == 1 and "project_id" not in views[0]
    assert set(views[0]) == {
        "id",
        "name",
        "description",
        "created_at",
        "created_by",
        "updated_at",
        "role",
        "links",
    }
    assert api.get(f"{V10}/budget_views/{views[0]['id']}", project_id=project["id"]).status_code == 404
    rows = api.get(
        f"{V10}/budget_views/{views[0]['id']}/detail_rows", project_id=project["id"], per_page=1000
    ).json()
    approved = {i for i, c in _project_commitments(state, project["id"]).items() if c["status"] == "Approved"}
    expected: dict[tuple[int, int], Decimal] = {}
    for line in state["commitment_line_items"]:
        if line["holder"]["id"] in approved:
            key = (line["cost_code"]["id"], line["line_item_type"]["id"])
            expected[key] = expected.get(key, Decimal(0)) + D(line["amount"])
    orders = {o["id"]: o for o in state["commitment_change_orders"]}
    for line in state["change_order_line_items"]:
        order = orders[line["change_order_id"]]
        if order["contract_id"] in approved and order["status"] == "approved":
            key = (line["cost_code_id"], line["line_item_type_id"])
            expected[key] = expected.get(key, Decimal(0)) + D(line["amount"])
    codes = {c["id"]: c for c in state["cost_codes"] if c["biller_id"] == project["id"]}
    items = [b for b in state["budget_line_items"] if b["cost_code"]["id"] in codes]
    assert len(rows) == len(items) > 10 and sum(expected.values()) > 0
    by_id = {b["id"]: b for b in items}
    for row in rows:
        item = by_id[row["id"]]
        assert row["project_id"] == project["id"] and row["cost_code"] == codes[row["cost_code_id"]]["name"]
        assert (row["cost_code_id"], row["category_id"]) == (
            item["cost_code"]["id"],
            item["line_item_type"]["id"],
        )
        assert row["Committed Costs"] == f"{expected.get((row['cost_code_id'], row['category_id']), 0):.2f}"
        assert D(row["Revised Budget"]) == D(item["original_budget_amount"]) + D(
            item["approved_budget_changes"]
        )
        assert (
            row["original_budget_amount"]
            == row["Original Budget Amount"]
            == f"{D(item['original_budget_amount']):.2f}"
        )
        assert all(isinstance(row[name], str) for name in VIEW_COLUMNS)
    modified = [r for r in rows if D(r["budget_modifications"]) > 0]
    assert all(D(r["Revised Budget"]) > D(r["Original Budget Amount"]) for r in modified)


def test_budget_line_items_show_create_update_but_no_list_or_delete(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    pid = project["id"]
    assert api.get(f"{V10}/budget_line_items", project_id=pid).status_code == 404
    view = api.get(f"{V10}/budget_views", project_id=pid).json()[0]
    row = next(
        r
        for r in api.get(f"{V10}/budget_views/{view['id']}/detail_rows", project_id=pid, per_page=1000).json()
        if D(r["Committed Costs"]) > 0
    )
    shown = api.get(f"{V10}/budget_line_items/{row['id']}", project_id=pid).json()
    assert not {"project_id", "budget_modifications", "approved_cos"} & set(shown)
    assert shown["committed_costs"] == float(row["Committed Costs"])  # numbers here, as published
    assert shown["revised_budget"] == float(row["Revised Budget"])
    assert set(shown["line_item_type"]) == {"id", "name"}
    assert api.call(
        "DELETE", f"{V10}/budget_line_items/{row['id']}", params={"project_id": pid}
    ).status_code in (404, 405)
    v11 = api.get(f"{V11}/budget_line_items/{row['id']}", project_id=pid).json()
    assert "committed_costs" not in v11 and v11["original_budget_amount"] == shown["original_budget_amount"]

    codes = api.get(f"{V10}/cost_codes", project_id=pid).json()
    other = next(t for t in api.get(f"{V10}/line_item_types").json() if t["code"] == "O")
    body = {
        "project_id": pid,
        "budget_line_item": {
            "cost_code_id": codes[0]["id"],
            "line_item_type_id": other["id"],
            "original_budget_amount": "1234.565",
        },
    }
    created = api.call("POST", f"{V10}/budget_line_items", json=body)
    assert created.status_code == 201, created.text
    new = created.json()
    assert (
        new["original_budget_amount"] == 1234.57
        and new["committed_costs"] == 0
        and new["revised_budget"] == 1234.57
    )
    again = api.call("POST", f"{V10}/budget_line_items", json=body)
    assert (
        again.status_code == 422
        and f"budget line item {new['id']} already" in again.json()["errors"]["cost_code_id"][0]
    )
    change = {
        "project_id": pid,
        "budget_line_item": {"calculation_strategy": "automatic", "quantity": 3, "unit_cost": 10.005},
    }
    updated = api.call("PATCH", f"{V10}/budget_line_items/{new['id']}", json=change).json()
    assert updated["original_budget_amount"] == 30.03  # 3 × 10.01
    rows = api.get(f"{V10}/budget_views/{view['id']}/detail_rows", project_id=pid, per_page=1000).json()
    assert next(r for r in rows if r["id"] == new["id"])["Original Budget Amount"] == "30.03"


def test_commitment_show_embeds_its_lines_and_the_list_does_not(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    pid = project["id"]
    listed = api.get(f"{V10}/purchase_order_contracts", project_id=pid, per_page=1000).json()
    assert listed and not any("line_items" in c or "project_id" in c for c in listed)
    assert all(
        set(c["vendor"]) == {"id", "company"} and c["project"] == {"id": pid, "name": project["name"]}
        for c in listed
    )
    assert {c["status"] for c in listed} <= {
        "Draft",
        "Processing",
        "Submitted",
        "Partially Received",
        "Received",
        "Approved",
        "Closed",
    }
    po = listed[0]
    shown = api.get(f"{V10}/purchase_order_contracts/{po['id']}", project_id=pid).json()
    lines = api.get(f"{V10}/purchase_order_contracts/{po['id']}/line_items", project_id=pid).json()
    assert shown["line_items"] == lines and len(lines) >= 1
    assert sum(D(li["amount"]) for li in lines) == D(shown["grand_total"])
    assert all(li["holder"] == {"id": po["id"], "holder_type": "PurchaseOrderContract"} for li in lines)
    assert all(
        li["project"] == {"id": pid, "name": project["name"]} and "contract_id" not in li for li in lines
    )
    one = api.get(f"{V10}/purchase_order_contracts/{po['id']}/line_items/{lines[0]['id']}", project_id=pid)
    assert one.json() == lines[0]
    assert (
        api.get(
            f"{V10}/work_order_contracts/{po['id']}/line_items/{lines[0]['id']}", project_id=pid
        ).status_code
        == 404
    )
    wrong = {"project_id": pid, "purchase_order_contract": {"status": "Void"}}
    refused = api.call("PATCH", f"{V10}/purchase_order_contracts/{po['id']}", json=wrong)
    assert refused.status_code == 422 and "Partially Received" in refused.json()["errors"]["status"][0]
    ignored = api.get(
        f"{V10}/purchase_order_contracts", project_id=pid, per_page=1000, **{"filters[vendor_id]": 1}
    )
    assert len(ignored.json()) == len(listed)  # not a published filter: Procore ignores it


def test_schedule_of_values_update_delete_and_sync(sandbox):
    api = ProcoreApi(sandbox)
    pid = api.first_project()["id"]
    vendor = api.state()["vendors"][40]
    body = {"project_id": pid, "work_order_contract": {"title": "Glazing", "vendor_id": vendor["id"]}}
    contract = api.call("POST", f"{V10}/work_order_contracts", json=body).json()
    assert (
        contract["vendor"] == {"id": vendor["id"], "company": vendor["name"]} and contract["line_items"] == []
    )
    code = api.get(f"{V10}/cost_codes", project_id=pid).json()[1]
    kind = next(t for t in api.get(f"{V10}/line_item_types").json() if t["code"] == "S")
    path = f"{V10}/work_order_contracts/{contract['id']}/line_items"
    line = {
        "cost_code_id": code["id"],
        "line_item_type_id": kind["id"],
        "description": "Curtain wall",
        "amount": "1000.10",
    }
    first = api.call("POST", path, json={"project_id": pid, "line_item": line}).json()
    update = {"project_id": pid, "line_item": {"amount": "1500.25"}}
    changed = api.call("PATCH", f"{path}/{first['id']}", json=update).json()

    assert (
        changed["amount"] == "1500.25"
        and changed["cost_code"]["id"] == code["id"]
        and changed["position"] == 1
    )
    synced = api.call(
        "PATCH",
        f"{path}/sync",
        params={"project_id": pid},
        json={
            "updates": [
                {"id": first["id"], "description": "Curtain wall, revised"},
                {**line, "origin_id": "X-1", "amount": "99.99"},
                {"id": 12345},
            ]
        },
    ).json()
    assert [e["description"] for e in synced["entities"]] == ["Curtain wall, revised", "Curtain wall"]
    assert synced["entities"][0]["amount"] == "1500.25" and synced["entities"][1]["origin_id"] == "X-1"
    assert synced["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}
    again = api.call(
        "PATCH",
        f"{path}/sync",
        params={"project_id": pid},
        json={"updates": [{"origin_id": "X-1", "amount": "100.00"}]},
    ).json()
    assert (
        again["entities"][0]["id"] == synced["entities"][1]["id"]
        and again["entities"][0]["amount"] == "100.00"
    )
    shown = api.get(f"{V10}/work_order_contracts/{contract['id']}", project_id=pid).json()
    assert shown["grand_total"] == "1600.25" and len(shown["line_items"]) == 2
    assert api.call("DELETE", f"{path}/{first['id']}", params={"project_id": pid}).status_code == 204
    assert (
        api.get(f"{V10}/work_order_contracts/{contract['id']}", project_id=pid).json()["grand_total"]
        == "100.00"
    )
    assert api.get(f"{path}/{first['id']}", project_id=pid).status_code == 404


def test_change_orders_list_unpaged_without_lines_filtered_as_published(sandbox):
    api = ProcoreApi(sandbox)
    state = api.state()
    project = api.first_project()
    path = f"{V10}/projects/{project['id']}/commitment_change_orders"
    answer = api.get(path, per_page=1)
    orders = answer.json()
    own = _project_commitments(state, project["id"])
    expected = [o for o in state["commitment_change_orders"] if o["contract_id"] in own]
    assert len(orders) == len(expected) > 1 and "Total" not in answer.headers  # no paging: per_page ignored
    assert not any("line_items" in o or "project_id" in o for o in orders)
    contract_id = expected[0]["contract_id"]
    narrowed = api.get(path, **{"filters[contract_id]": contract_id}).json()
    assert {o["contract_id"] for o in narrowed} == {contract_id}
    assert [o["id"] for o in api.get(path, **{"filters[id]": expected[1]["id"]}).json()] == [
        expected[1]["id"]
    ]
    assert len(api.get(path, **{"filters[status]": "approved"}).json()) == len(
        expected
    )  # unpublished: ignored
