"""The bodies of the ``xero_to_procore`` and ``job_costs`` tasks, so the DAG files stay wiring only.

Each step returns its counts and this run's links (source id -> Procore id) by XCom; a later step in the
same run adds them to what the crosswalk knows, so a dry run still shows what a real one would link."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from airflow.sdk import get_current_context

from procore_xero.airflow.sync_tasks import approvals_to_post
from procore_xero.airflow.tasks import spent_limit_fails_for_good
from procore_xero.airflow.tenancy import pair_named
from procore_xero.objects import REFERENCED_LATER, released_by_approval


def _known(engine: Any, tenant: Any, earlier: Sequence[dict[str, Any]], base_currency: str = "USD") -> Any:
    from procore_xero.sync.inbound_known import known_in_procore

    known = known_in_procore(engine, tenant, base_currency)
    vendors = {k: v for result in earlier for k, v in result.get("ids", {}).get("xero/contacts", {}).items()}
    return replace(known, vendor_by_contact={**known.vendor_by_contact, **vendors}) if vendors else known


def inbound_step_task(step_name: str, tenant: str, earlier: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """One Xero -> Procore step with the run's Params (``dry_run``, ``full_refresh``)."""
    from procore_xero.staging import open_staging
    from procore_xero.sync.inbound_run import sync_inbound_step

    context = get_current_context()
    params = context["params"]
    pair = pair_named(tenant)
    engine, key = open_staging(), pair.key()
    with spent_limit_fails_for_good():
        result = sync_inbound_step(
            step_name,
            client=pair.procore(),
            engine=engine,
            tenant=key,
            spec=pair.spec(),
            known=_known(engine, key, earlier),
            run_id=context["run_id"],
            dry_run=bool(params.get("dry_run")),
            full_refresh=bool(params.get("full_refresh")),
        )
    ids = {k: v for k, v in result.ids.items() if k in REFERENCED_LATER}  # documents' ids stay in id_map
    return {**result.to_dict(), "ids": ids}


def apply_inbound_approvals(response: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Post the POs the controller approved in this run (the Xero PO step re-runs; records already in
    Procore are unchanged and cost nothing)."""
    approved = approvals_to_post(response, pair_named(tenant), get_current_context()["run_id"])
    posted = {}
    if approved:
        for step_name in released_by_approval("xero_to_procore"):
            posted[step_name] = inbound_step_task(step_name, tenant)["load"]["counts"]
    return {**response, "posted": posted}


def base_currency(tenant: str) -> str:
    """The organisation's base currency (one call): job-cost figures are converted to it."""
    with spent_limit_fails_for_good():
        organisation = pair_named(tenant).xero().get("Organisation")["Organisations"][0]
    return str(organisation["BaseCurrency"])


def job_costs_task(currency: str, tenant: str) -> dict[str, Any]:
    """Compute the figures per project and budget code into staging (``job_costs`` table)."""
    from procore_xero.staging import open_staging
    from procore_xero.sync.job_cost_run import refresh_job_costs

    context = get_current_context()
    pair = pair_named(tenant)
    engine, key = open_staging(), pair.key()
    return refresh_job_costs(
        engine,
        key,
        pair.spec(),
        _known(engine, key, (), currency),
        run_id=context["run_id"],
        dry_run=bool(context["params"].get("dry_run")),
    )
