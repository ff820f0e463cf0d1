"""
### Procore → staging (hourly)

Reads every Procore object the sync needs into the staging database (`STAGING_DB_URL`), one task per
object type, for every tenant in the tenants file (`PXSYNC_TENANTS`; without one, the `procore_default`
connection).

* **Window**: each run reads records whose `updated_at` lies in its data interval (from the last
  watermark if that is earlier), so a backfill over a date range re-extracts exactly that range. The first
  run, and a run with the `full_refresh` Param, reads everything, deletions included.
* **Fan-out**: company-scoped objects are a task group mapped over the tenants; project-scoped objects a
  task group mapped over every (tenant, staged project) pair, or only the `project_id` Param's project.
  One tenant's or one project's failure stops only its own tasks.
* **Assets**: each task emits `pxsync://staging/procore/<type>` for the sync DAGs to schedule on.
* Counts and API calls per task are in XCom and in the staging table `sync_runs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task, task_group

from procore_xero.extract.specs import COMPANY_SCOPED, PROCORE_SPECS, PROJECT_SCOPED, asset_uri
from procore_xero.tenants import TENANT_LABEL, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}
PROJECT_LABEL = "{{ task.op_kwargs['tenant'] }} / {{ task.op_kwargs['project_id'] }}"


@task
def extract(object_type: str, tenant: str, project_id: int | None = None) -> dict:
    from procore_xero.airflow.tasks import extract_procore_task

    return extract_procore_task(object_type, tenant, project_id)


@task(trigger_rule="all_done")  # a tenant whose company read failed must not hold back the others' projects
def projects(tenants: list[str]) -> list[dict[str, Any]]:
    from procore_xero.airflow.tasks import procore_projects

    return procore_projects(tenants)


def _extract(object_type: str, label: str) -> Any:
    """The extract task for one type: named after it, emitting its staging Asset."""
    asset = Asset(asset_uri("procore", object_type))
    return extract.override(task_id=object_type, outlets=[asset], map_index_template=label)


@task_group(group_id="company")
def company_objects(tenant: str) -> None:
    for name in COMPANY_SCOPED:
        _extract(name, TENANT_LABEL)(name, tenant=tenant)


@task_group(group_id="project")
def project_objects(tenant: str, project_id: int) -> None:
    tasks = {
        name: _extract(name, PROJECT_LABEL)(name, tenant=tenant, project_id=project_id)
        for name in PROJECT_SCOPED
    }
    for name, spec in PROCORE_SPECS.items():
        for parent in spec.parents:
            tasks[parent] >> tasks[name]


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
    names = tenant_names()
    pairs = projects(names)
    company_objects.expand(tenant=names) >> pairs
    project_objects.expand_kwargs(pairs)


procore_extract()
