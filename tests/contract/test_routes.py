"""Every route the Procore emulator serves is a published operation, every GET answer on the demo seed
validates against its published model, required parameters are required, and unpublished operations answer
404 as Procore's router does. Deviations still tolerated are in ``known_deviations.yaml``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import requests

from sandbox.process import SandboxProcess
from tests.contract.published import Contract, template_key
from tests.contract.ratchet import ratchet
from tests.contract.validate import Deviation
from tests.contract.walker import Walk, emulator_routes, fill, served_deviations, walk_gets
from tests.integration.sandbox.procore_api import ProcoreApi


def new_walk(sandbox: SandboxProcess, published: Contract) -> Walk:
    api = ProcoreApi(sandbox)
    state = sandbox.admin("procore", "GET", "state")
    return Walk(sandbox, published, api.headers(), api.company_id, state)


def add_webhook_records(sandbox: SandboxProcess) -> None:
    """A hook with a trigger and one delivery attempt (to a closed port), so the webhook lists have rows."""
    api = ProcoreApi(sandbox)
    hook = {"api_version": "v2", "destination_url": "http://127.0.0.1:9/closed"}
    made = api.call("POST", "/rest/v1.0/webhooks/hooks", json={"company_id": api.company_id, "hook": hook})
    trigger = {"resource_name": "Company Vendors", "event_type": "update"}
    api.call(
        "POST",
        f"/rest/v1.0/webhooks/hooks/{made.json()['id']}/triggers",
        json={"company_id": api.company_id, "api_version": "v2", "trigger": trigger},
    ).raise_for_status()
    vendor = api.state()["vendors"][0]
    body = {"company_id": api.company_id, "vendor": {"name": vendor["name"]}}
    api.call("PATCH", f"/rest/v1.0/vendors/{vendor['id']}", json=body).raise_for_status()
    sandbox.admin("procore", "POST", "webhooks/deliver")


def test_every_answer_validates(unlimited: SandboxProcess, published: Contract) -> None:
    add_webhook_records(unlimited)
    walk = new_walk(unlimited, published)
    walk_gets(walk, emulator_routes())
    records = sum(len(v) for v in walk.seen.values())
    assert records > 1000, {k: len(v) for k, v in walk.seen.items()}
    for path, seen in walk.seen.items():
        assert seen, f"the walk found no record for GET {path}: nothing of it was validated"
    ratchet(published, "answers", walk.found | required_params_enforced(walk))


def required_params_enforced(walk: Walk) -> set[Deviation]:
    """Each required query parameter of a served, published GET left out once: Procore refuses the call."""
    found: set[Deviation] = set()
    for method, path in emulator_routes():
        op = walk.contract.by_template(method, path)
        lists = method == "GET" and "{record_id" not in path and "{parent_id" not in path
        if not lists or op is None or not walk.seen.get(template_key(path)):
            continue  # shows take their list's parameters: the list is checked
        params, _ = walk.seen[template_key(path)][0]
        slots = {"company_id": walk.company_id, "project_id": params.get("project_id")}
        for name in op.required_query_params:
            short = {k: v for k, v in params.items() if k != name}
            answer = walk.get(fill(path, slots), short)
            if answer.status_code < 400:
                found.add(Deviation(op.name, f"query {name}", "required query parameter not enforced"))
    return found


def test_routes_are_published_operations(unlimited: SandboxProcess, published: Contract) -> None:
    """Every served route is published; every operation ``not_published.json`` names answers 404."""
    routes = emulator_routes()
    assert len(routes) > 40, routes  # the app was read, not an empty one
    walk = new_walk(unlimited, published)
    walk_gets(walk, [r for r in routes if "{" not in r[1]])  # lists: real IDs to ask for
    found: set[Deviation] = set()
    operations = [entry for entries in published.not_published.values() for entry in entries]
    assert len(operations) > 15, operations
    for operation in operations:
        method, _, path = operation.partition(" ")
        answer = requests.request(
            method,
            f"{unlimited.procore_url}{fill(path, real_ids(walk, path))}",
            params={"company_id": walk.company_id, "project_id": some_project(walk)},
            headers=walk.headers,
            json={} if method in ("POST", "PATCH") else None,
            timeout=30,
        )
        if answer.status_code != 404:
            found.add(Deviation(operation, "", f"answers {answer.status_code}, not 404"))
    ratchet(published, "routes", found | served_deviations(published, routes))


def some_project(walk: Walk) -> int:
    return walk.projects()[0]


def real_ids(walk: Walk, path: str) -> dict[str, Any]:
    """Path slots filled with IDs of records the emulator holds, so a 404 means the route, not the record."""
    slots: dict[str, Any] = {"company_id": walk.company_id, "project_id": some_project(walk)}
    parent = template_key(path.rsplit("/", 1)[0])
    records = walk.seen.get(parent) or walk.seen.get(template_key(path.split("/{")[0])) or []
    record_id = records[0][1]["id"] if records else 1
    return defaultdict(lambda: record_id, slots)  # {id}, {requisition_id}, {direct_cost_id}, ...
