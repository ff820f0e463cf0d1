"""A second opinion on the Procore emulator: Procore's own JavaScript SDK (``@procore/js-sdk``, pinned in
``tests/contract/js_sdk``) reads every list the sync extracts and makes the sync's writes, built by the SDK's
own URL and header code. Paths come from the sync's constants, so the test follows the sync when it moves."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from procore_xero.clients.procore import MAX_PER_PAGE
from procore_xero.extract.specs import COMMITMENT_TYPES, PROCORE_SPECS, ProcoreSpec
from procore_xero.to_procore.commitments import SOV_PATH
from procore_xero.to_procore.loader import PROCORE_TARGETS
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
from tests.contract.published import Contract
from tests.contract.ratchet import known
from tests.contract.validate import Deviation, check_request

SDK_DIR = Path(__file__).parent / "js_sdk"
SDK_VERSION = json.loads((SDK_DIR / "package.json").read_text())["dependencies"]["@procore/js-sdk"]
VERSIONED = re.compile(r"^/rest/(v\d+\.\d+)(/.*)$")


def node() -> str:
    """The ``node`` binary; CI must have it (``.ci/run`` installs it), so only PXSYNC_SKIP_NODE=1 skips."""
    found = shutil.which("node")
    if found is None:
        if os.environ.get("PXSYNC_SKIP_NODE") == "1":
            pytest.skip("node is not installed and PXSYNC_SKIP_NODE=1")
        pytest.fail("node is not installed: .ci/run installs Debian's nodejs and npm")
    if not (SDK_DIR / "node_modules" / "@procore" / "js-sdk").is_dir():
        pytest.fail(f"{SDK_DIR}/node_modules is missing: run `npm ci --prefix {SDK_DIR}` (make test does)")
    return found


def endpoint(
    name: str, method: str, path: str, qs: dict[str, Any] | None = None, **values: Any
) -> dict[str, Any]:
    """One SDK call from a path of the sync (``/rest/v1.0/contract_payments/{id}?project_id={project_id}``):
    the version, a ``base`` with its ``{placeholders}``, ``params.id`` and ``action`` as the SDK composes them
    and the query as nested objects (``filters[origin_id]`` becomes ``{"filters": {"origin_id": ...}}``) so
    the SDK's own ``qs`` encoding builds it."""
    path, _, query = path.partition("?")
    matched = VERSIONED.match(path)
    assert matched, path
    version, base = matched.groups()
    call: dict[str, Any] = {"name": name, "method": method, "version": version, "params": {}}
    if base.endswith("/sync"):
        base, call["action"] = base.removesuffix("/sync"), "sync"
    if base.endswith("/{id}"):
        base, call["params"]["id"] = base.removesuffix("/{id}"), values["id"]
    # The SDK appends params.id to every URL: an {id} inside the path goes under another name.
    call["base"] = base = base.replace("{id}", "{record_id}")
    call["params"].update(
        {key: values[key.removeprefix("record_")] for key in re.findall(r"\{(\w+)\}", base)}
    )
    flat = {**dict(pair.split("=", 1) for pair in query.split("&") if pair), **(qs or {})}
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        outer, _, inner = key.partition("[")
        value = str(value).format(**values)
        if inner:
            nested.setdefault(outer, {})[inner.rstrip("]")] = value
        else:
            nested[outer] = value
    if nested:  # an empty qs would still add "?" to the URL
        call["qs"] = nested
    return call


def list_call(spec: ProcoreSpec, company_id: int, project_id: int, **parent: Any) -> dict[str, Any]:
    """The sync's first page of one extracted list, as ``procore_xero.extract.procore`` asks for it: a nested
    read is the parent's list (``{parent_id}`` in the path), its show (``embedded`` rows) or the parent's id
    in a query parameter (``parent_param``: payments by ``contract_id``)."""
    name = f"{spec.name}:{parent.get('parent_type', '')}"
    scope = "project_id" if spec.project_scoped else "company_id"
    qs: dict[str, Any] = dict(spec.params)
    if spec.paged and not spec.embedded:
        qs.update({"page": 1, "per_page": MAX_PER_PAGE})
    if f"{{{scope}}}" not in spec.path:
        qs[scope] = project_id if spec.project_scoped else company_id
    if spec.parent_param:
        qs[spec.parent_param] = parent.pop("parent_id")
        parent.pop("parent_type")
    if spec.deletions:
        qs["filters[include_deleted]"] = "with"
    if spec.incremental:
        qs["filters[updated_at]"] = "2000-01-01T00:00:00Z...2100-01-01T00:00:00Z"
    return endpoint(name, "GET", spec.path, qs, company_id=company_id, project_id=project_id, **parent)


def run_sdk(
    sandbox: SandboxProcess, published: Contract, calls: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Run the calls through the SDK in one Node process; answers by call name. The requests the SDK built,
    as the emulator received them, must be published operations with no deviation the sync's own requests
    are not already allowed (``known_deviations.yaml``)."""
    sandbox.admin("procore", "DELETE", "requests")
    credentials = sandbox.admin("procore", "GET", "credentials")
    client = credentials["clients"][0]
    plan = {
        "apiHostname": sandbox.procore_url,
        "tokenPath": credentials["token_path"],
        "clientId": client["client_id"],
        "clientSecret": client["client_secret"],
        "companyId": credentials["company_id"],
        "calls": calls,
    }
    done = subprocess.run(
        [node(), str(SDK_DIR / "procore_calls.js")],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["sdkVersion"] == SDK_VERSION
    answers = {answer["name"]: answer for answer in result["calls"]}
    failed = {name: (a["status"], a["url"], a["body"]) for name, a in answers.items() if not a["ok"]}
    assert not failed, failed
    received = [
        r for r in sandbox.admin("procore", "GET", "requests")["requests"] if r["path"].startswith("/rest/")
    ]
    assert len(received) == len(calls), [r["path"] for r in received]
    found: set[Deviation] = set()
    for r in received:
        found |= check_request(
            published, r["method"], r["path"], r["route"], [tuple(pair) for pair in r["query"]], r["body"]
        )
    assert found <= known("requests"), sorted(found - known("requests"))
    return answers


def of_project(state: dict[str, Any], collection: str, project_id: int) -> list[dict[str, Any]]:
    """The sandbox state's records of one project, found as the emulator finds them."""
    project_of = project_of_records(state)
    return [r for r in state[collection] if project_of(collection, r) == project_id]


def test_sdk_reads_every_list_the_sync_extracts(sandbox: SandboxProcess, published: Contract) -> None:
    state = sandbox.admin("procore", "GET", "state")
    company_id = state["companies"][0]["id"]
    project_id = state["projects"][0]["id"]
    payment = of_project(state, "contract_payments", project_id)[0]
    parents = {
        "budget_views": of_project(state, "budget_views", project_id)[0]["id"],
        "prime_contracts": of_project(state, "prime_contracts", project_id)[0]["id"],
        **{kind: of_project(state, kind, project_id)[0]["id"] for kind in COMMITMENT_TYPES},
    }
    calls = []
    for spec in PROCORE_SPECS.values():
        if not spec.nested:
            calls.append(list_call(spec, company_id, project_id))
        for parent_type in spec.parents:
            parent = {"parent_type": parent_type, "parent_id": parents[parent_type]}
            calls.append(list_call(spec, company_id, project_id, **parent))
    target = PROCORE_TARGETS["contract_payments"]
    # The show (not a sync read: the amount as Procore sends it) publishes contract_id as required.
    show = {"project_id": project_id, "contract_id": payment["contract_id"]}
    calls.append(endpoint("payment", "GET", target.item_path, show, id=payment["id"], project_id=project_id))
    po = parents["purchase_order_contracts"]
    calls.append(endpoint("sov", "GET", SOV_PATH, {"project_id": project_id}, id=po))

    answers = run_sdk(sandbox, published, calls)

    lists = sum(len(spec.parents) or 1 for spec in PROCORE_SPECS.values())  # nested: one read per parent type
    assert len(answers) == len(calls) == lists + 2
    assert all(a["url"].startswith(f"{sandbox.procore_url}/rest/v1.") for a in answers.values())
    assert {p["id"] for p in answers["projects:"]["body"]} == {p["id"] for p in state["projects"]}
    assert answers["vendors:"]["total"] == str(len(state["vendors"]))
    assert len(answers["vendors:"]["body"]) == len(state["vendors"])
    expected_wo = {c["id"] for c in of_project(state, "work_order_contracts", project_id)}
    assert {c["id"] for c in answers["work_order_contracts:"]["body"]} == expected_wo
    requisitions = answers["requisitions:"]["body"]
    assert {r["id"] for r in requisitions} == {r["id"] for r in of_project(state, "requisitions", project_id)}
    assert all(r.get("items") for r in requisitions), "view=extended returns each requisition's items"
    lines = answers["commitment_line_items:purchase_order_contracts"]["body"]["line_items"]  # the show's
    assert {li["id"] for li in lines} == {
        li["id"] for li in state["commitment_line_items"] if li["holder"]["id"] == po
    }
    read = answers["payment"]["body"]
    assert (read["id"], read["contract_id"]) == (payment["id"], payment["contract_id"])
    assert read["amount"] == f"{Decimal(str(payment['amount'])):.2f}"  # Procore sends amounts as strings


def test_sdk_makes_the_sync_writes(sandbox: SandboxProcess, published: Contract) -> None:
    state = sandbox.admin("procore", "GET", "state")
    company_id = state["companies"][0]["id"]
    project_id = state["projects"][0]["id"]
    contract = of_project(state, "work_order_contracts", project_id)[0]
    vendor = {"origin_id": "XERO-JS-SDK-1", "name": "JS SDK Check Supply LLC", "is_active": True}
    payment = {
        "origin_id": "XERO-JS-SDK-PAY-1",
        "amount": "1234.56",
        "date": "2025-10-01",
        "invoice_number": "JS-SDK-1",
        "check_number": "JS-1",
    }
    direct_cost = {
        "origin_id": "XERO-JS-SDK-DC-1",
        "direct_cost_type": "invoice",
        "invoice_number": "JS-DC-1",
        "vendor_id": contract["vendor"]["id"],  # required with the type and number
        "direct_cost_date": "2025-10-02",
        "description": "Written through Procore's JavaScript SDK",
    }
    payments, costs = PROCORE_TARGETS["contract_payments"], PROCORE_TARGETS["direct_costs"]
    calls = [
        endpoint("vendor sync", "PATCH", str(PROCORE_TARGETS["vendors"].sync_path)),
        endpoint("payment", "POST", str(payments.list_path)),
        endpoint(
            "payment by origin",
            "GET",
            str(payments.list_path),
            {"project_id": project_id, "contract_id": contract["id"]},  # no filter is published
        ),
        endpoint("direct cost sync", "PATCH", str(costs.sync_path), project_id=project_id),
    ]
    calls[0]["body"] = {"company_id": company_id, "updates": [vendor]}
    calls[1]["body"] = {"project_id": project_id, "contract_id": contract["id"], "contract_payment": payment}
    calls[3]["body"] = {"updates": [direct_cost]}

    answers = run_sdk(sandbox, published, calls)

    synced = answers["vendor sync"]["body"]
    assert synced["errors"] == [] and [e["origin_id"] for e in synced["entities"]] == [vendor["origin_id"]]
    created = answers["payment"]["body"]
    assert (created["contract_id"], created["amount"]) == (contract["id"], "1234.56")
    by_origin = [
        p["id"] for p in answers["payment by origin"]["body"] if p["origin_id"] == payment["origin_id"]
    ]
    assert by_origin == [created["id"]]  # matched here, as the sync does after a lost POST
    costs_synced = answers["direct cost sync"]["body"]
    assert costs_synced["errors"] == [] and len(costs_synced["entities"]) == 1
    after = sandbox.admin("procore", "GET", "state")
    assert len(after["vendors"]) == len(state["vendors"]) + 1
    stored = [p for p in after["contract_payments"] if p["id"] == created["id"]]
    assert [f"{Decimal(str(p['amount'])):.2f}" for p in stored] == ["1234.56"]
    assert len(after["direct_costs"]) == len(state["direct_costs"]) + 1
