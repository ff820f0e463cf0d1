"""
### Xero → staging (hourly)

Reads every Xero object the sync needs into the staging database (`STAGING_DB_URL`), one task per object
type, for every tenant in the tenants file (`PXSYNC_TENANTS`; without one, the `xero_default` connection):
the tasks are a task group mapped over the tenants, so one tenant's failure or spent limit stops only its own.

* **Incremental**: `If-Modified-Since` = the latest `UpdatedDateUTC` staged (or the data interval's start
  if earlier, so a backfill re-reads its window). The first run, and a run with the `full_refresh` Param,
  reads everything.
* **Limits**: each tenant's tasks run in its own pool (`xero_<name>`, 5 slots = Xero's calls in flight per
  organisation; the cluster policy in `procore_xero/airflow/policy.py` routes them from the shared
  `PXSYNC_XERO_POOL`). A spent daily limit fails that tenant's task at once with the limit and its reset
  time (UTC); the next run resumes at the page it stopped on.
* **Assets**: each task emits `pxsync://staging/xero/<type>`. Tax rates are not extracted: the sandbox
  serves no `TaxRates` endpoint.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, Param, dag, task, task_group

from procore_xero.extract.specs import XERO_SPECS, asset_uri
from procore_xero.tenants import TENANT_LABEL, shared_xero_pool, tenant_names

DEFAULT_ARGS = {
    "owner": "data-team",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "pool": shared_xero_pool(),
}


@task(map_index_template=TENANT_LABEL)
def extract(object_type: str, tenant: str) -> dict:
    from procore_xero.airflow.tasks import extract_xero_task

    return extract_xero_task(object_type, tenant)


@task_group(group_id="tenant")
def per_tenant(tenant: str) -> None:
    for name in XERO_SPECS:
        extract.override(task_id=name, outlets=[Asset(asset_uri("xero", name))])(name, tenant=tenant)


@dag(
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["xero", "extract", "staging"],
    doc_md=__doc__,
    max_active_runs=1,
    params={"full_refresh": Param(False, type="boolean", description="Re-read everything.")},
)
def xero_extract() -> None:
    per_tenant.expand(tenant=tenant_names())


xero_extract()
