"""Procore list actions over HTTP: paging headers, the per_page cap, and the filters[...] parameters."""

from __future__ import annotations

import re

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


def _links(response) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])}


def test_paging_headers_and_links(sandbox):
    api = ProcoreApi(sandbox)
    first = api.get(f"{V10}/vendors", page=1, per_page=70)
    assert first.headers["Total"] == "300" and first.headers["Per-Page"] == "70"
    assert len(first.json()) == 70
    links = _links(first)
    assert set(links) == {"next", "last"}
    assert "page=2" in links["next"] and "page=5" in links["last"]
    middle = api.get(f"{V10}/vendors", page=3, per_page=70)
    assert set(_links(middle)) == {"first", "next", "last"}  # pagination.md: no prev
    last = api.get(f"{V10}/vendors", page=5, per_page=70)
    assert len(last.json()) == 300 - 4 * 70
    assert set(_links(last)) == {"first", "last"}
    ids = [v["id"] for p in range(1, 6) for v in api.get(f"{V10}/vendors", page=p, per_page=70).json()]
    assert len(set(ids)) == 300


def test_default_per_page_and_cap(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    default = api.get(f"{V10}/vendors")
    assert default.headers["Per-Page"] == "100" and len(default.json()) == 100
    capped = api.get(f"{V11}/requisitions", project_id=project["id"], per_page=5000)
    assert capped.headers["Per-Page"] == "2000"
    bad = api.get(f"{V10}/vendors", per_page="lots")
    assert bad.status_code == 400 and "per_page" in bad.json()["errors"]


def test_updated_at_range_is_inclusive_and_follows_writes(sandbox):
    api = ProcoreApi(sandbox)
    now = sandbox.admin("procore", "GET", "clock")["now"]
    created = api.call(
        "POST",
        f"{V10}/vendors",
        json={"company_id": api.company_id, "vendor": {"name": "Range Test Electric LLC"}},
    )
    assert created.status_code == 201
    vendor = created.json()
    assert vendor["created_at"] == vendor["updated_at"] and vendor["updated_at"][:15] == now[:15]
    stamp = vendor["updated_at"]
    hits = api.get(f"{V10}/vendors", **{"filters[updated_at]": f"{stamp}...{stamp}"}).json()
    assert [v["id"] for v in hits] == [vendor["id"]]
    window = api.get(
        f"{V10}/vendors", **{"filters[updated_at]": "2025-01-01T00:00:00Z...2025-02-01T00:00:00Z"}
    )
    expected = [
        v["id"] for v in api.state()["vendors"] if "2025-01-01" <= v["updated_at"][:10] < "2025-02-01"
    ]
    assert [v["id"] for v in window.json()] == expected and expected
    sandbox.admin("procore", "POST", "clock", {"advance_seconds": 3600})
    updated = api.call("PATCH", f"{V10}/vendors/{vendor['id']}", json={"vendor": {"city": "Boulder"}}).json()
    assert updated["updated_at"] > stamp and updated["created_at"] == vendor["created_at"]
    assert api.get(f"{V10}/vendors", **{"filters[updated_at]": f"{stamp}...{stamp}"}).json() == []
    bad = api.get(f"{V10}/vendors", **{"filters[updated_at]": "yesterday"})
    assert bad.status_code == 400 and "filters[updated_at]" in bad.json()["errors"]


def test_deleted_records_hidden_unless_include_deleted(sandbox):
    """On a list that publishes ``filters[include_deleted]`` (commitments); cost codes publish neither a
    DELETE nor that filter (test_procore_company_resources)."""
    api = ProcoreApi(sandbox)
    path = f"{V10}/work_order_contracts"
    drafts = [c for c in api.state()["work_order_contracts"] if c["status"] == "Draft"]
    pid = drafts[0]["project"]["id"]
    listed = api.get(path, project_id=pid, per_page=1000).json()
    gone = next(c for c in listed if c["status"] == "Draft")
    assert api.call("DELETE", f"{path}/{gone['id']}", params={"project_id": pid}).status_code == 204
    live = api.get(path, project_id=pid, per_page=1000).json()
    assert len(live) == len(listed) - 1 and gone["id"] not in [c["id"] for c in live]
    both = api.get(path, project_id=pid, per_page=1000, **{"filters[include_deleted]": "with"}).json()
    assert len(both) == len(listed)
    only = api.get(path, project_id=pid, **{"filters[include_deleted]": "only"}).json()
    assert [c["id"] for c in only] == [gone["id"]] and only[0]["deleted_at"] is not None
    assert api.get(f"{path}/{gone['id']}", project_id=pid).status_code == 404


def test_origin_id_stage_number_status_and_id_filters(sandbox):
    api = ProcoreApi(sandbox)
    owned = api.get(f"{V10}/vendors", **{"filters[origin_id]": "ERP-V-" + "x"}).json()
    assert owned == []
    tagged = [v for v in api.state()["vendors"] if v["origin_id"]]
    found = api.get(f"{V10}/vendors", **{"filters[origin_id]": tagged[0]["origin_id"]}).json()
    assert [v["id"] for v in found] == [tagged[0]["id"]]
    stage = next(s for s in api.state()["project_stages"] if s["name"] == "Send to Xero")
    at_stage = api.get(f"{V11}/projects", **{"filters[by_stage]": stage["id"]}).json()
    expected = [p["id"] for p in api.state()["projects"] if p["project_stage"]["id"] == stage["id"]]
    assert [p["id"] for p in at_stage] == expected and 0 < len(expected) < 25
    ignored = api.get(f"{V10}/projects", **{"filters[by_stage]": stage["id"]}).json()  # v1.1 only
    assert len(ignored) == 25
    numbered = api.get(
        f"{V11}/projects", company_id=api.company_id, **{"filters[project_number]": "25-101"}
    ).json()
    assert [p["project_number"] for p in numbered] == ["25-101"]
    project = api.first_project()
    drafts = api.get(f"{V11}/requisitions", project_id=project["id"], **{"filters[status]": "approved"})
    assert drafts.json() and {r["status"] for r in drafts.json()} == {"approved"}
    two = [v["id"] for v in api.state()["vendors"][:2]]
    by_id = api.get(f"{V10}/vendors", **{"filters[id]": f"{two[0]},{two[1]}"}).json()
    assert [v["id"] for v in by_id] == two
