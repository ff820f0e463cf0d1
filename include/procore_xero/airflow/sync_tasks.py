"""The bodies of the ``procore_to_xero`` tasks, so the DAG file stays wiring only.

Each step task receives the earlier steps' results by XCom (their ``ids``: this run's links, the run-level
ID maps) and returns its own (small, secret-free). ``id_map`` stays the truth across runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from airflow.sdk import get_current_context

from procore_xero.airflow.tasks import spent_limit_fails_for_good
from procore_xero.airflow.tenancy import TenantPair, pair_named

log = logging.getLogger(__name__)

# The run-level ID maps later steps look up (documents' own ids stay in id_map, out of XCom).
REFERENCED_LATER = frozenset(
    {
        "procore/projects",
        "procore/cost_codes",
        "pxsync/settings",
        "procore/vendors",
        "procore/work_order_contracts",
        "procore/purchase_order_contracts",
    }
)


def enabled_currencies(tenant: str) -> list[str]:
    """The organisation's currencies (one call a run): documents in others are held."""
    with spent_limit_fails_for_good():
        return sorted(c["Code"] for c in pair_named(tenant).xero().get("Currencies")["Currencies"])


def _project_id(engine: Any, company_id: int, project_number: str | None) -> str | None:
    """The ``project_number`` Param as a staged project id; an unknown number is an error, not "all"."""
    if not project_number:
        return None
    from procore_xero.mapping.staged import read_staged

    projects = read_staged(engine, "projects", company_id)
    match = projects[projects["project_number"].astype(str) == str(project_number)]
    if match.empty:
        raise ValueError(f"no staged Procore project has the job number {project_number!r}")
    return str(match.iloc[0]["id"])


def sync_step_task(
    step_name: str, earlier: Sequence[dict[str, Any]], currencies: list[str], tenant: str
) -> dict[str, Any]:
    from procore_xero.staging import open_staging
    from procore_xero.sync.known import known_in_xero
    from procore_xero.sync.run_step import sync_step

    context = get_current_context()
    params = context["params"]
    pair = pair_named(tenant)
    engine, key = open_staging(), pair.key()
    spec = pair.spec(key.tenant_id)
    run_ids: dict[str, dict[str, str]] = {}
    for result in earlier:
        for source_type, links in result["ids"].items():
            run_ids.setdefault(source_type, {}).update(links)
    with spent_limit_fails_for_good():
        result = sync_step(
            step_name,
            client=pair.xero(),
            engine=engine,
            tenant=key,
            spec=spec,
            known=known_in_xero(engine, key, spec, run_ids, currencies),
            run_id=context["run_id"],
            dry_run=bool(params.get("dry_run")),
            project_id=_project_id(engine, key.company_id, params.get("project_number")),
            full_refresh=bool(params.get("full_refresh")),
        )
    return {**result.to_dict(), "ids": {k: v for k, v in result.ids.items() if k in REFERENCED_LATER}}


APPROVAL_TASK_ID = "tenant.controller_approval"  # the DAGs' Human-in-the-loop task, mapped over tenants
WAITING = "awaiting_input"


def request_still_open(context: Any) -> bool:
    """Whether an earlier run of this DAG still waits for this tenant's controller: its request already
    lists what is held, so this run asks nothing and ends at once (the next run asks again)."""
    ti = context["ti"]
    waiting = ti.get_ti_count(
        dag_id=ti.dag_id, map_index=ti.map_index, task_ids=[APPROVAL_TASK_ID], states=[WAITING]
    )
    return bool(waiting)


def held_for_approval(tenant: str, source_system: str = "procore") -> str:
    """A Markdown list of the open exceptions on ``source_system`` records the controller may approve
    (each direction's DAG asks about its own); empty when there are none, or when another run's request
    to this tenant's controller is still open (one request at a time, so a run never waits behind it)."""
    from procore_xero.staging import list_open, open_staging
    from procore_xero.sync.decisions import APPROVABLE_REASONS

    if request_still_open(get_current_context()):
        log.info("tenant %s: an earlier run's approval request is still open; this run asks nothing", tenant)
        return ""

    waiting = [
        e
        for e in list_open(open_staging(), pair_named(tenant).key())
        if e.problem.reason_code in APPROVABLE_REASONS and e.problem.source_system == source_system
    ]
    if not waiting:
        return ""
    rows = "\n".join(f"| {e.id} | {e.source_label} | {e.message} |" for e in waiting)
    return (
        f"{len(waiting)} record(s) wait for your approval. Enter exception ids under *approve* or *reject*; "
        "records you do not decide on stay pending for the next run.\n\n"
        f"| id | record | why it was held |\n|---|---|---|\n{rows}\n"
    )


def record_decisions(response: dict[str, Any], pair: TenantPair) -> dict[str, Any]:
    """The controller's answer to the Human-in-the-loop task, stored on the exceptions it names (only the
    tenant's own: an id from another tenant's queue is refused)."""
    from procore_xero.staging import ExceptionDecisionError, decide, list_open, open_staging

    engine = open_staging()
    chosen = response.get("params_input") or {}
    user = (response.get("responded_by_user") or {}).get("name") or "controller"
    approved = [int(i) for i in chosen.get("approve") or []]
    rejected = [int(i) for i in chosen.get("reject") or []]
    own = {e.id for e in list_open(engine, pair.key())}
    foreign = sorted(set(approved + rejected) - own)
    if foreign:
        raise ExceptionDecisionError(f"exception id(s) {foreign} are not open in tenant {pair.name}'s queue")
    for exception_id in approved:
        decide(engine, exception_id, approve=True, decided_by=user)
    for exception_id in rejected:
        decide(engine, exception_id, approve=False, decided_by=user)
    return {"approved": approved, "rejected": rejected, "decided_by": user}


def apply_approvals(response: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Record the controller's decisions, then post what was approved (the steps re-run, skipping every
    record already in Xero, so only the released ones are written)."""
    from procore_xero.sync.decisions import APPROVABLE_REASONS
    from procore_xero.sync.order import STEP_ORDER
    from procore_xero.validation import OBJECT_RULES

    decisions = record_decisions(response, pair_named(tenant))
    posted: dict[str, Any] = {}
    if decisions["approved"]:
        steps = [s for s in STEP_ORDER if {r.reason for r in OBJECT_RULES[s].rules} & APPROVABLE_REASONS]
        currencies = enabled_currencies(tenant)
        for step_name in steps:
            posted[step_name] = sync_step_task(step_name, [], currencies, tenant)["load"]["counts"]
    return {**decisions, "posted": posted}
