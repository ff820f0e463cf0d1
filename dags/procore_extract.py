"""
### Procore → staging (on demand: the first read, a full refresh, a replay)

Hourly and event-driven reads are `procore_feeds`' (only what changed, plus a sweep under a call budget):
polling every list every hour costs 4 + 12 × projects calls, past Procore's hourly limit at 300 projects.
This DAG is the first full read of a new tenant, a `full_refresh`, and the replay of a date range.

Reads every Procore object the sync needs into the staging database (`STAGING_DB_URL`) for every tenant
in the tenants file (`PXSYNC_TENANTS`; without one, the `procore_default` connection): **one task per
tenant**, whatever the number of projects.

* **Window**: each read takes the records whose `updated_at` lies in the run's data interval (from the last
  watermark if that is earlier), so a backfill over a date range re-extracts exactly that range. The first
  run, and a run with the `full_refresh` Param, reads everything, deletions included.
* **Replay**: a manual run with the `from` / `to` Params (UTC) re-reads that whole range in one run —
  three days in about the time of one hourly run — and its event re-syncs what it staged.
* **Inside the task** (`procore_xero/extract/account.py`): the company's objects, then every staged
  project's (only the `project_id` Param's, if set), `PXSYNC_EXTRACT_CONCURRENCY` projects at a time
  (default 4), every call within the company's shared rate budget. A read that fails is logged and the
  others go on; a spent rate limit stops the reads not yet started (the next run resumes).
* **Asset**: each tenant's task emits one event on `pxsync://extracted/procore` when it has finished, its
  extra the tenant's summary (`status` `success` or `partial`, counts, API calls, the first failures):
  the sync runs once per complete extract. One tenant's failure stops only its own task.
* **outcome** fails the run (no retry: the next run resumes) when a tenant's extract was partial or failed.
* Counts and API calls: the tenant task's one XCom; per read in the staging table `sync_runs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task

from procore_xero.airflow.replay import replay_params
from procore_xero.extract.specs import extracted_uri
from procore_xero.tenants import TENANT_LABEL, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}


@task(outlets=[Asset(extracted_uri("procore"))], map_index_template=TENANT_LABEL)
def extract(tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.tasks import extract_procore_tenant

    return extract_procore_tenant(tenant)


@task(trigger_rule="all_done")  # fails with AirflowFailException: never retried
def outcome(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    from procore_xero.airflow.tasks import extract_outcome

    return extract_outcome("procore", summaries)


@dag(
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["procore", "extract", "staging"],
    doc_md=__doc__,
    max_active_runs=1,
    params={
        "full_refresh": Param(False, type="boolean", description="Re-read everything, deletions included."),
        "project_id": Param(None, type=["null", "integer"], description="Only this Procore project."),
        **replay_params(),
    },
)
def procore_extract() -> None:
    outcome(extract.expand(tenant=tenant_names()))


procore_extract()
