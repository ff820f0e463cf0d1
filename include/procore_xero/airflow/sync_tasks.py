"""The bodies of the sync DAGs' tasks (``procore_to_xero``, ``xero_to_procore``, ``job_costs``), so the DAG
files stay wiring only.

Each step task builds the tenant's run once (``tenancy.tenant_run``), receives the earlier steps' results
by XCom (their ``ids``: this run's links, the run-level ID maps) and returns its own (small, secret-free).
``id_map`` stays the truth across runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowSkipException

from procore_xero.airflow.tasks import spent_limit_fails_for_good
from procore_xero.airflow.tenancy import TenantPair, pair_named, tenant_run
from procore_xero.objects import REFERENCED_LATER

if TYPE_CHECKING:
    from procore_xero.mapping.inbound.known import KnownInProcore
    from procore_xero.sync.pipeline import Direction
    from procore_xero.tenant_run import TenantRun

log = logging.getLogger(__name__)


def enabled_currencies(tenant: str) -> list[str]:
    """The organisation's currencies (one call a run): documents in others are held."""
    with spent_limit_fails_for_good():
        return sorted(c["Code"] for c in pair_named(tenant).xero().get("Currencies")["Currencies"])


def sync_step_task(
    step_name: str, earlier: Sequence[dict[str, Any]], tenant: str, currencies: Sequence[str] = ()
) -> dict[str, Any]:
    """One step of either sync DAG with the run's Params; ``currencies``: the Xero organisation's (the
    Procore -> Xero steps hold documents in others)."""
    from procore_xero.sync.pipeline import sync_step

    run = tenant_run(tenant, get_current_context())
    direction = _direction(step_name, run, earlier, currencies)
    with spent_limit_fails_for_good():
        result = sync_step(step_name, run, direction)
    # Only the run-level links later steps look up travel by XCom; documents' own ids stay in id_map.
    return {**result.to_dict(), "ids": {k: v for k, v in result.ids.items() if k in REFERENCED_LATER}}


def _direction(
    step_name: str, run: TenantRun, earlier: Sequence[dict[str, Any]], currencies: Sequence[str]
) -> Direction:
    """Where the step sends (Procore -> Xero steps are ``STEPS``), with what the target already knows."""
    from procore_xero.sync.steps import STEPS
    from procore_xero.to_procore.step import ToProcore
    from procore_xero.to_xero.known import known_in_xero
    from procore_xero.to_xero.step import ToXero

    if step_name not in STEPS:
        return ToProcore(known_in_procore(run, earlier))
    skip_until_extracted(run.engine, run.name, run.key.company_id)
    run_ids: dict[str, dict[str, str]] = {}
    for result in earlier:
        for source_type, links in result["ids"].items():
            run_ids.setdefault(source_type, {}).update(links)
    return ToXero(known_in_xero(run.engine, run.key, run.spec, run_ids, currencies))


def known_in_procore(
    run: TenantRun, earlier: Sequence[dict[str, Any]], base_currency: str = "USD"
) -> KnownInProcore:
    """What Procore knows from the crosswalk, plus the contacts this run's earlier steps linked."""
    from procore_xero.to_procore.known import known_in_procore as from_crosswalk

    known = from_crosswalk(run.engine, run.key, base_currency)
    vendors = {k: v for result in earlier for k, v in result.get("ids", {}).get("xero/contacts", {}).items()}
    return replace(known, vendor_by_contact={**known.vendor_by_contact, **vendors}) if vendors else known


def base_currency(tenant: str) -> str:
    """The organisation's base currency (one call): job-cost figures are converted to it."""
    with spent_limit_fails_for_good():
        organisation = pair_named(tenant).xero().get("Organisation")["Organisations"][0]
    return str(organisation["BaseCurrency"])


def job_costs_task(currency: str, tenant: str) -> dict[str, Any]:
    """Compute the figures per project and budget code into staging (``job_costs`` table)."""
    from procore_xero.sync.job_cost_run import refresh_job_costs

    run = tenant_run(tenant, get_current_context())
    return refresh_job_costs(run, known_in_procore(run, (), currency))


def skip_until_extracted(engine: Any, tenant: str, company_id: int) -> None:
    """A tenant added to the tenants file before its first Procore extract has nothing to send: its steps
    are skipped with that reason (and so its approval), while the other tenants of the run sync."""
    from procore_xero.mapping.staged import has_staged

    if not has_staged(engine, "projects", company_id):
        raise AirflowSkipException(
            f"tenant {tenant!r}: nothing is staged for Procore company {company_id} yet; "
            "its first procore_extract run reads it, and the sync after that sends it"
        )


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


def held_for_approval(tenant: str, source_system: str = "procore") -> list[dict[str, Any]]:
    """The tenant's held ``source_system`` records the controller may be asked about (each direction's DAG
    asks about its own), as the approval task lists them; empty when there are none, or when another run's
    request to this tenant's controller is still open (one request at a time: a run never waits behind it)."""
    from procore_xero.airflow.held_records import held_records
    from procore_xero.staging import open_staging

    if request_still_open(get_current_context()):
        log.info("tenant %s: an earlier run's approval request is still open; this run asks nothing", tenant)
        return []
    records = held_records(open_staging(), pair_named(tenant).key(), source_system)
    return [record.to_dict() for record in records]


def record_decisions(
    approve: Sequence[int], reject: Sequence[int], responder: str, pair: TenantPair, *, run_id: str
) -> dict[str, Any]:
    """The controller's checked answer stored on the exceptions it names (only the tenant's own open ones:
    anything else is refused before any is stored)."""
    from procore_xero.staging import ExceptionDecisionError, decide, list_open, open_staging

    engine = open_staging()
    own = {e.id for e in list_open(engine, pair.key())}
    foreign = sorted((set(approve) | set(reject)) - own)
    if foreign:
        raise ExceptionDecisionError(f"exception id(s) {foreign} are not open in tenant {pair.name}'s queue")
    for exception_id in approve:
        decide(engine, exception_id, approve=True, decided_by=responder, run_id=run_id)
    for exception_id in reject:
        decide(engine, exception_id, approve=False, decided_by=responder, run_id=run_id)
    return {"approve": list(approve), "reject": list(reject), "decided_by": responder}


def approvals_to_post(response: dict[str, Any], pair: TenantPair, run_id: str) -> list[int]:
    """The approvals this run's approval task recorded, checked again before anything is posted: the
    approval task's result (XCom) must name exactly those decisions, and each must come from one of the
    tenant's approvers. A result written by hand, or a task marked successful without an answer, fails here
    loudly and posts nothing."""
    from procore_xero.airflow.approval import ApprovalRefused
    from procore_xero.airflow.approvers import tenant_approvers
    from procore_xero.staging import ExceptionStatus, decided_in_run, open_staging

    recorded = decided_in_run(open_staging(), pair.key(), run_id)
    approved = sorted(e.id for e in recorded if e.status is ExceptionStatus.APPROVED)
    rejected = sorted(e.id for e in recorded if e.status is ExceptionStatus.REJECTED)
    claimed = (sorted(response.get("approve") or []), sorted(response.get("reject") or []))
    if claimed != (approved, rejected):
        raise ApprovalRefused(
            f"tenant {pair.name!r}: the approval task's result names approve {claimed[0]} / reject "
            f"{claimed[1]}, but Airflow's Human-in-the-loop answer recorded approve {approved} / reject "
            f"{rejected}; the result was not written by the approval task. Nothing is posted"
        )
    allowed = tenant_approvers(pair.tenant)
    strangers = sorted({str(e.decided_by) for e in recorded} - set(allowed))
    if strangers:
        raise ApprovalRefused(
            f"tenant {pair.name!r}: decisions by {strangers}, who may not approve (only {allowed}); "
            "nothing is posted"
        )
    return approved


def apply_approvals(response: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Post what the controller approved in this run: the steps of this DAG that hold records a person may
    approve re-run, skipping every record already in the target, so only the released ones are written."""
    from procore_xero.objects import released_by_approval
    from procore_xero.sync.steps import STEPS

    approved = approvals_to_post(response, pair_named(tenant), get_current_context()["run_id"])
    posted: dict[str, Any] = {}
    if approved:
        steps = released_by_approval(get_current_context()["ti"].dag_id)
        currencies = enabled_currencies(tenant) if any(s in STEPS for s in steps) else []
        for step_name in steps:
            posted[step_name] = sync_step_task(step_name, [], tenant, currencies)["load"]["counts"]
    return {**response, "posted": posted}
