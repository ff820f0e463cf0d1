"""
### Procore → Xero (once per complete Procore extract)

What project managers enter in Procore appears in Xero once, and whatever looks wrong waits for the
controller. One task per object, in dependency order: tracking options (one per project at the
"Send to Xero" stage), items (cost code × cost type), contacts (vendors), purchase orders (approved
commitments with their approved change-order lines), bills (approved subcontractor invoices, retainage on
its own lines), sales invoices (approved owner invoices). Each task transforms the staged records with
the mapping spec (`include/mappings/settings.yaml`), validates them with Great Expectations, queues what
fails in the staging table `exceptions`, and writes the rest to Xero in batches of 50 — never twice (crosswalk
`id_map` + natural keys), never over a person's edit in Xero.

* **Approvals**: records held for a reason the controller may overrule (a PO above the remaining budget)
  are listed in a Human-in-the-loop task (Airflow's *Required Actions* page). Approved ones are posted
  at once; rejected ones stay out until their source changes; no answer within 50 minutes leaves them
  pending for the next run. Nothing else waits for the answer: the next run starts and posts beside a run
  that waits (one run per tenant may wait, `max_active_runs` = tenants + 1), and while a tenant's request
  is open later runs ask that controller nothing. The settings' `controller_emails` get an e-mail
  (connection `smtp_default`) with the list and the link to the page.
* **Params**: `dry_run` (write nothing, report what would be created / updated / held), `project_number`
  (send one project's documents), `full_refresh` (re-send unchanged records, e.g. after a mapping change).
* **XCom**: each task returns its counts and this run's ID map (source id → Xero id) for the next tasks.
* **Tenants**: the steps are a task group mapped over the tenants file's pairs (`PXSYNC_TENANTS`), each
  with its own connections, settings overrides, controller addresses and Xero pool; one tenant's failure
  or spent daily limit stops only its own steps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task, task_group

from procore_xero.airflow.approval import controller_approval
from procore_xero.extract.specs import extracted_uri
from procore_xero.sync.order import STEP_ORDER
from procore_xero.tenants import TENANT_LABEL, shared_xero_pool, sync_runs_at_once, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}
TRIGGERING_ASSET = Asset(extracted_uri("procore"))  # once per tenant per complete extract


@task(pool=shared_xero_pool(), map_index_template=TENANT_LABEL)
def currencies(tenant: str) -> list[str]:
    from procore_xero.airflow.sync_tasks import enabled_currencies

    return enabled_currencies(tenant=tenant)


@task(pool=shared_xero_pool(), map_index_template=TENANT_LABEL)
def sync(step_name: str, earlier: list[dict[str, Any]], currencies: list[str], tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import sync_step_task

    return sync_step_task(step_name, earlier, tenant, currencies)


@task(map_index_template=TENANT_LABEL)
def held_for_approval(tenant: str) -> list[dict[str, Any]]:
    from procore_xero.airflow.sync_tasks import held_for_approval as listing

    return listing(tenant)


@task(pool=shared_xero_pool(), map_index_template=TENANT_LABEL)
def apply_approvals(response: dict[str, Any], tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import apply_approvals as apply

    return apply(response, tenant)


@task_group(group_id="tenant")
def per_tenant(tenant: str) -> None:
    enabled = currencies(tenant=tenant)
    results: list[Any] = []
    for name in STEP_ORDER:
        results.append(sync.override(task_id=name)(name, list(results), enabled, tenant=tenant))
    listing = held_for_approval(tenant=tenant)
    results[-1] >> listing
    approval = controller_approval("Procore → Xero: records waiting for the controller", listing)
    apply_approvals(approval.output, tenant=tenant)


@dag(
    schedule=TRIGGERING_ASSET,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["procore", "xero", "sync"],
    doc_md=__doc__,
    max_active_runs=sync_runs_at_once(),
    params={
        "dry_run": Param(False, type="boolean", description="Write nothing; report what would happen."),
        "project_number": Param(
            None, type=["null", "string"], description="Only this job number's documents."
        ),
        "full_refresh": Param(False, type="boolean", description="Re-send records even when unchanged."),
    },
)
def procore_to_xero() -> None:
    per_tenant.expand(tenant=tenant_names())


procore_to_xero()
