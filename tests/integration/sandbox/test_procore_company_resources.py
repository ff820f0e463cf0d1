"""Company-level Procore resources as Procore publishes them: projects, vendors, cost types, cost codes
(required parameters, the filters each list publishes and nothing else, write and read field names)."""

from __future__ import annotations

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


def test_company_id_is_required_where_published(sandbox):
    api = ProcoreApi(sandbox)
    for path in (f"{V10}/projects", f"{V11}/projects", f"{V10}/vendors", f"{V10}/vendors/1"):
        refused = api.call("GET", path)
        assert refused.status_code == 400 and "company_id" in refused.json()["errors"], path
    kind = api.state()["line_item_types"][0]
    assert api.call("GET", f"{V10}/line_item_types/{kind['id']}").status_code == 400
    assert api.get(f"{V10}/line_item_types/{kind['id']}").json()["code"] == kind["code"]
    either = api.call("GET", f"{V10}/line_item_types", params={"project_id": api.first_project()["id"]})
    assert either.status_code == 200 and len(either.json()) == 5  # company_id or project_id
    assert api.call("GET", f"{V10}/line_item_types").status_code == 400
    no_company = api.call("POST", f"{V10}/vendors", json={"vendor": {"name": "Nameless Co"}})
    assert no_company.status_code == 400 and "company_id" in no_company.json()["errors"]
    sync = api.call("PATCH", f"{V10}/vendors/sync", json={"updates": [{"name": "X", "origin_id": "X-1"}]})
    assert sync.status_code == 400


def test_projects_publish_no_currency_and_v10_filters_only_what_it_publishes(sandbox):
    api = ProcoreApi(sandbox)
    projects = api.get(f"{V10}/projects").json()
    assert len(projects) == 25 and not any("currency_configuration" in p or "stage" in p for p in projects)
    shown = api.get(f"{V10}/projects/{projects[0]['id']}").json()
    assert shown["project_stage"] == projects[0]["project_stage"] and "currency_configuration" not in shown
    for unpublished in ("by_stage", "project_number", "active"):
        value = {"by_stage": projects[0]["project_stage"]["id"], "project_number": "25-101"}.get(unpublished)
        answer = api.get(f"{V10}/projects", **{f"filters[{unpublished}]": value or "false"}).json()
        assert len(answer) == 25, unpublished  # ignored, as Procore ignores unknown parameters
    one = api.get(f"{V11}/projects", **{"filters[project_number]": "25-101"}).json()
    assert [p["project_number"] for p in one] == ["25-101"]


def test_vendors_filter_by_search_not_by_name_or_is_active(sandbox):
    api = ProcoreApi(sandbox)
    vendors = api.state()["vendors"]
    found = api.get(f"{V10}/vendors", per_page=1000, **{"filters[search]": "drywall"}).json()
    expected = [v["id"] for v in vendors if "drywall" in v["name"].lower()]
    assert [v["id"] for v in found] == expected and 0 < len(expected) < 300
    for unpublished in ("name", "is_active"):
        answer = api.get(f"{V10}/vendors", per_page=1000, **{f"filters[{unpublished}]": "false"}).json()
        assert len(answer) == 300, unpublished


def test_line_item_types_write_csv_import_code_and_read_code(sandbox):
    api = ProcoreApi(sandbox)
    body = {"line_item_type": {"name": "Rentals", "csv_import_code": "R", "base_type": "equipment"}}
    created = api.call("POST", f"{V10}/line_item_types", json=body)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("name", "code", "base_type")} == {
        "name": "Rentals",
        "code": "R",
        "base_type": "equipment",
    }
    assert "created_at" not in created.json() and "updated_at" not in created.json()
    assert {t["base_type"] for t in api.get(f"{V10}/line_item_types").json()} <= {
        "equipment",
        "materials",
        "commitment",
        "owner_cost",
        "professional_services",
        "other",
        "labor",
    }
    code_only = api.call(
        "POST", f"{V10}/line_item_types", json={"line_item_type": {"name": "X", "code": "X"}}
    )
    assert code_only.status_code == 422 and "csv_import_code" in code_only.json()["errors"]
    bad_type = {"line_item_type": {"name": "Y", "csv_import_code": "Y", "base_type": "Rent"}}
    assert api.call("POST", f"{V10}/line_item_types", json=bad_type).status_code == 422


def test_cost_codes_belong_to_their_biller_filter_only_by_origin_id_and_cannot_be_deleted(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    codes = api.get(f"{V10}/cost_codes", project_id=project["id"]).json()
    assert codes and all(
        (c["biller_id"], c["biller_type"], c["biller"]) == (project["id"], "Project", project["name"])
        and "project_id" not in c
        for c in codes
    )
    for unpublished in ("full_code", "updated_at", "include_deleted"):
        value = {"updated_at": "2000-01-01T00:00:00Z...2000-01-02T00:00:00Z"}.get(unpublished, "only")
        answer = api.get(f"{V10}/cost_codes", project_id=project["id"], **{f"filters[{unpublished}]": value})
        assert len(answer.json()) == len(codes), unpublished
    gone = api.call("DELETE", f"{V10}/cost_codes/{codes[0]['id']}", params={"project_id": project["id"]})
    assert gone.status_code == 404
    assert len(api.get(f"{V10}/cost_codes", project_id=project["id"]).json()) == len(codes)
