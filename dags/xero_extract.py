"""
### Xero → staging (hourly)

Reads every Xero object the sync needs into the staging database (`STAGING_DB_URL`), one task per object
type, through the `xero_default` connection (one tenant).

* **Incremental**: `If-Modified-Since` = the latest `UpdatedDateUTC` staged (or the data interval's start
  if earlier, so a backfill re-reads its window). The first run, and a run with the `full_refresh` Param,
  reads everything.
* **Limits**: the tasks run in the pool named by `PXSYNC_XERO_POOL` (default `xero_default`, 5 slots =
  Xero's calls in flight per tenant; `make airflow` creates it). A spent daily limit fails the task at
  once with the limit and its reset time (UTC); the next run resumes at the page it stopped on.
* **Assets**: each task emits `pxsync://staging/xero/<type>`. Tax rates are not extracted: the sandbox
  serves no `TaxRates` endpoint.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, Param, dag, task

from procore_xero.extract.specs import XERO_SPECS, asset_uri

XERO_POOL = os.environ.get("PXSYNC_XERO_POOL", "xero_default")
DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2), "pool": XERO_POOL}


@task
def extract(object_type: str) -> dict:
    from procore_xero.airflow.tasks import extract_xero_task

    return extract_xero_task(object_type)


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
    for name in XERO_SPECS:
        extract.override(task_id=name, outlets=[Asset(asset_uri("xero", name))])(name)


xero_extract()
