"""
### Procore → staging (hourly)

Reads every Procore object the sync needs into the staging database (`STAGING_DB_URL`), one task per
object type, through the `procore_default` connection.

* **Window**: each run reads records whose `updated_at` lies in its data interval (from the last
  watermark if that is earlier), so a backfill over a date range re-extracts exactly that range. The first
  run, and a run with the `full_refresh` Param, reads everything, deletions included.
* **Projects**: project-scoped objects fan out by dynamic task mapping over the staged projects, or only
  over the `project_id` Param when given.
* **Assets**: each task emits `pxsync://staging/procore/<type>` for the sync DAGs to schedule on.
* Counts and API calls per task are in XCom and in the staging table `sync_runs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task

from procore_xero.extract.specs import COMPANY_SCOPED, PROCORE_SPECS, PROJECT_SCOPED, asset_uri

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}


@task
def extract(object_type: str, project_id: int | None = None) -> dict:
    from procore_xero.airflow.tasks import extract_procore_task

    return extract_procore_task(object_type, project_id)


@task
def project_ids() -> list[int]:
    from procore_xero.airflow.tasks import procore_project_ids

    return procore_project_ids()


def _extract(object_type: str) -> Any:
    """The extract task for one type: named after it, emitting its staging Asset."""
    return extract.override(task_id=object_type, outlets=[Asset(asset_uri("procore", object_type))])


@dag(
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["procore", "extract", "staging"],
    doc_md=__doc__,
    max_active_runs=1,
    params={
        "full_refresh": Param(False, type="boolean", description="Re-read everything, deletions included."),
        "project_id": Param(None, type=["null", "integer"], description="Only this Procore project."),
    },
)
def procore_extract() -> None:
    company = {name: _extract(name)(name) for name in COMPANY_SCOPED}
    ids = project_ids()
    company["projects"] >> ids
    mapped = {
        name: _extract(name).partial(object_type=name).expand(project_id=ids) for name in PROJECT_SCOPED
    }
    for name, spec in PROCORE_SPECS.items():
        for parent in spec.parents:
            mapped[parent] >> mapped[name]


procore_extract()
