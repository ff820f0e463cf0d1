"""Walks the Procore emulator: every route it serves, every GET answered on the demo seed with real IDs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from sandbox.core.clock import SandboxClock
from sandbox.procore.app import create_app
from sandbox.procore.service import ProcoreService
from tests.contract.published import Contract, Operation, readable, template_key
from tests.contract.validate import Deviation, check_response

COMMITMENTS = ("work_order_contracts", "purchase_order_contracts")
SHOWN_PER_LIST = 3  # records shown (and parents walked) per list answer: enough variety, few calls
_SLOT = re.compile(r"\{(\w+)(?::\w+)?\}")


def emulator_routes() -> list[tuple[str, str]]:
    """(method, route template) of every API route the emulator app serves (not OAuth, not admin)."""
    app = create_app(ProcoreService({}, SandboxClock()))
    return sorted(
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/rest/")
        for method in getattr(route, "methods", ())
    )


def served_deviations(contract: Contract, routes: list[tuple[str, str]]) -> set[Deviation]:
    return {
        Deviation(f"{method} {readable(path)}", "", "unpublished operation served")
        for method, path in routes
        if contract.by_template(method, path) is None
    }


def project_of(record: dict[str, Any]) -> Any:
    return record.get("project_id") or (record.get("project") or {}).get("id")


@dataclass
class Walk:
    """One walk over the emulator's GET routes: what it called, which IDs it saw, what deviated."""

    sandbox: Any
    contract: Contract
    headers: dict[str, str]
    company_id: int
    state: dict[str, Any]
    seen: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = field(default_factory=dict)
    calls: int = 0
    found: set[Deviation] = field(default_factory=set)

    def get(self, path: str, params: dict[str, str]) -> requests.Response:
        self.calls += 1
        return requests.get(
            f"{self.sandbox.procore_url}{path}", params=params, headers=self.headers, timeout=30
        )

    def projects(self) -> list[int]:
        return [p["id"] for p in self.state["projects"]]

    def commitments(self, project_id: int) -> list[int]:
        return [c["id"] for name in COMMITMENTS for c in self.state[name] if project_of(c) == project_id]

    def list_queries(self, op: Operation | None, project_id: int | None) -> Iterator[dict[str, str]]:
        """The query strings of one list call: the published required parameters filled from the seed (one
        variant per commitment where a ``contract_id`` is required), the largest page, ``view=extended``."""
        names = set(op.query_params) if op else {"company_id", "project_id"}
        base = {"per_page": "2000"} if "per_page" in names else {}
        if "company_id" in names:
            base["company_id"] = str(self.company_id)
        if project_id is not None and "project_id" in names:
            base["project_id"] = str(project_id)
        per_contract = set(op.required_query_params if op else ()) & {"contract_id", "commitment_id"}
        if project_id is not None and per_contract:
            for contract_id in self.commitments(project_id)[: SHOWN_PER_LIST * 3]:
                yield {**base, **dict.fromkeys(per_contract, str(contract_id))}
            return
        yield from with_views(op, base)

    def call(self, method_path: str, op: Operation | None, path: str, params: dict[str, str]) -> list[dict]:
        """One GET; its answer validated (when published); the records it returned."""
        answer = self.get(path, params)
        if answer.status_code != 200:
            self.found.add(Deviation(method_path, "", f"status {answer.status_code} on a published call"))
            return []
        body = answer.json()
        if op is not None:
            self.found |= check_response(self.contract, op, body)
        return body if isinstance(body, list) else [body]


PARENT = "(parent)"  # where a nested list's rows remember the parent they were listed under (not a query)
# Shows Procore publishes without any list: the list whose rows carry their IDs (a budget view detail row's
# id is its budget line item's).
LISTED_ELSEWHERE = {"/budget_line_items": "/rest/v1.0/budget_views/{}/detail_rows"}


def listed_elsewhere(path: str) -> bool:
    return any(path[len("/rest/v1.x") :].startswith(f"{unlisted}/") for unlisted in LISTED_ELSEWHERE)


def parent_records(walk: Walk, parent: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """What the list at ``parent`` returned; where only the other version lists (requisitions: v1.1 list,
    v1.0 show), that version's list; where only the plural lists (``/prime_contract/{id}``), the plural's;
    for a show with no list at all, the rows that carry its IDs."""
    for path in (parent, f"{parent}s"):
        for version in ("", "/rest/v1.0", "/rest/v1.1"):
            key = template_key(version + path[len("/rest/v1.x") :] if version else path)
            if walk.seen.get(key):
                return walk.seen[key]
    elsewhere = LISTED_ELSEWHERE.get(parent[len("/rest/v1.x") :])
    return walk.seen.get(elsewhere, []) if elsewhere else []


def fill(path: str, values: dict[str, Any]) -> str:
    return _SLOT.sub(lambda m: str(values[m.group(1)]), path)


def with_views(op: Operation | None, params: dict[str, str]) -> Iterator[dict[str, str]]:
    yield params
    if op is not None and "view" in op.query_params:
        yield {**params, "view": "extended"}


def project_scoped(path: str, op: Operation | None) -> bool:
    """Published: ``project_id`` in the path or required; not published: the emulator's project scope."""
    return "{project_id" in path or op is None or "project_id" in op.required_query_params


def walk_gets(walk: Walk, routes: list[tuple[str, str]]) -> None:
    """Lists first (per project where project-scoped), then shows and nested lists on IDs those returned:
    a template ending in ``{record_id}`` is a show of the list one level up, one with ``{parent_id}`` a
    list under a record of the list before that slot."""
    gets = sorted(
        (path for method, path in routes if method == "GET"),
        key=lambda p: ("{record_id" in p or "{parent_id" in p, listed_elsewhere(p), p),
    )
    for path in gets:
        op = walk.contract.by_template("GET", path)
        name = op.name if op else f"GET {readable(path)}"
        results: list[tuple[dict[str, str], dict[str, Any]]] = []
        for params, slots in _calls(walk, path, op):
            for record in walk.call(name, op, fill(path, slots), params):
                if isinstance(record, dict) and "id" in record:
                    project = {"project_id": str(slots["project_id"])} if slots.get("project_id") else {}
                    parent = {PARENT: str(slots["parent_id"])} if "{parent_id" in path else {}
                    results.append(({**params, **project, **parent}, record))
        walk.seen[template_key(path)] = results


def _calls(walk: Walk, path: str, op: Operation | None) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """(query, path slots) of every call ``walk_gets`` makes to one route."""
    slots: dict[str, Any] = {"company_id": walk.company_id}
    if "{record_id" not in path and "{parent_id" not in path:
        for project_id in walk.projects() if project_scoped(path, op) else [None]:
            for params in walk.list_queries(op, project_id):
                yield params, {**slots, "project_id": project_id}
        return
    parent = path.rsplit("/", 1)[0] if "{record_id" in path else path.split("/{parent_id")[0]
    names = set(op.query_params) if op else {"company_id", "project_id"}
    shown: dict[Any, int] = {}
    for list_params, record in parent_records(walk, parent):
        project_id = list_params.get("project_id") or project_of(record)
        if shown.get(project_id, 0) >= SHOWN_PER_LIST:
            continue
        shown[project_id] = shown.get(project_id, 0) + 1
        params = {k: v for k, v in list_params.items() if k in names and k != "view"}
        parent_id = list_params.get(PARENT, record["id"])  # a nested record's show: its list's parent
        ids = {**slots, "record_id": record["id"], "parent_id": parent_id, "project_id": project_id}
        for variant in with_views(op, params):
            yield variant, ids
