"""
### Job costs (nightly)

What Xero's books say each project has cost, in Procore and in staging, every night.

* **direct_costs**: bills and spend money entered in Xero with a line tracked to a synced project become
  Procore direct costs (type Invoice for bills, Expense for spend money; date, vendor, invoice #, lines on
  budget codes with quantity, unit cost and amount). Bills the sync created from Procore subcontractor
  invoices are left out (Procore already counts them as commitment invoiced). A line's budget code is its
  item (cost code + cost type) or the settings' `cost_code_lookup` by account code; lines with neither,
  and documents in another currency than their project's, wait in the exception queue. A document voided
  or deleted in Xero reverses its direct cost. Writes use the sync action with `origin_id` = the Xero id.
* **job_cost_figures**: per project and budget code, job-to-date cost (bills + spend money), commitment
  invoiced (bills from Procore) and direct costs (the difference), in the project's currency and in the
  organisation's base currency at each document's own rate, replace the staging table `job_costs` that
  the budget view and the drift report read.

* **Params**: `dry_run` (write nothing), `full_refresh` (re-send unchanged direct costs).
* **Tenants**: a task group mapped over the tenants file's pairs (`PXSYNC_TENANTS`); one tenant's failure
  stops only its own tasks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task, task_group

from procore_xero.sync.order import NIGHTLY_INBOUND_ORDER
from procore_xero.tenants import TENANT_LABEL, shared_xero_pool, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=5)}


@task(map_index_template=TENANT_LABEL)
def sync(step_name: str, earlier: list[dict[str, Any]], tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import sync_step_task

    return sync_step_task(step_name, earlier, tenant)


@task(pool=shared_xero_pool(), map_index_template=TENANT_LABEL)
def base_currency(tenant: str) -> str:
    from procore_xero.airflow.sync_tasks import base_currency as currency

    return currency(tenant)


@task(map_index_template=TENANT_LABEL)
def job_cost_figures(currency: str, tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import job_costs_task

    return job_costs_task(currency, tenant)


@task_group(group_id="tenant")
def per_tenant(tenant: str) -> None:
    results: list[Any] = []
    for name in NIGHTLY_INBOUND_ORDER:
        results.append(sync.override(task_id=name)(name, list(results), tenant=tenant))
    figures = job_cost_figures(base_currency(tenant=tenant), tenant=tenant)
    results[-1] >> figures


@dag(
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["xero", "procore", "job-costs"],
    doc_md=__doc__,
    max_active_runs=1,
    params={
        "dry_run": Param(False, type="boolean", description="Write nothing; report what would happen."),
        "full_refresh": Param(False, type="boolean", description="Re-send records even when unchanged."),
    },
)
def job_costs() -> None:
    per_tenant.expand(tenant=tenant_names())


job_costs()
