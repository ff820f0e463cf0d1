"""The run log: one ``sync_runs`` row per task try, so every hour's reads and writes can be accounted for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from procore_xero.staging.dialect import upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import StagingKey
from procore_xero.staging.schema import sync_runs
from procore_xero.staging.timestamps import utc_now
from procore_xero.staging.upsert import UpsertCounts


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    STOPPED_DAILY_LIMIT = "stopped_daily_limit"


@dataclass(frozen=True)
class TaskTry:
    """Which Airflow task try a run row belongs to; a retry has a new ``try_number`` and so a new row."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    try_number: int = 1

    @classmethod
    def from_task_instance(cls, ti: Any) -> TaskTry:
        """From Airflow's ``context["ti"]`` (read by attribute, so Airflow need not be imported here)."""
        return cls(ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number)

    def where(self) -> Any:
        return (
            (sync_runs.c.dag_id == self.dag_id)
            & (sync_runs.c.run_id == self.run_id)
            & (sync_runs.c.task_id == self.task_id)
            & (sync_runs.c.map_index == self.map_index)
            & (sync_runs.c.try_number == self.try_number)
        )


def start_run(
    bind: Engine | Connection, task_try: TaskTry, system: str, object_type: str, key: StagingKey
) -> None:
    """Log a run as ``running``; starting the same try again (a re-executed process) restarts its row."""
    values: dict[str, Any] = {
        "system": str(system),
        "object_type": object_type,
        "account": key.account,
        "scope": key.scope,
        "started_at": utc_now(),
        "finished_at": None,
        "duration_seconds": None,
        "status": RunStatus.RUNNING.value,
        "records_read": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "api_calls": 0,
        "message": None,
    }
    with transaction(bind) as connection:
        insert = upsert_insert(connection, sync_runs)
        connection.execute(
            insert.values(
                dag_id=task_try.dag_id,
                run_id=task_try.run_id,
                task_id=task_try.task_id,
                map_index=task_try.map_index,
                try_number=task_try.try_number,
                **values,
            ).on_conflict_do_update(
                index_elements=[column.name for column in sync_runs.primary_key.columns],
                set_={name: insert.excluded[name] for name in values},
            )
        )


def finish_run(
    bind: Engine | Connection,
    task_try: TaskTry,
    status: RunStatus,
    *,
    counts: UpsertCounts = UpsertCounts(),  # noqa: B008 - frozen, so a shared default is safe
    records_read: int = 0,
    api_calls: int = 0,
    message: str | None = None,
) -> float:
    """Close a run with its outcome and totals; returns its duration in seconds."""
    with transaction(bind) as connection:
        started_at = connection.execute(
            select(sync_runs.c.started_at).where(task_try.where())
        ).scalar_one_or_none()
        if started_at is None:
            raise LookupError(f"no sync_runs row for {task_try}: call start_run first")
        finished_at = utc_now()
        duration = (finished_at - started_at).total_seconds()
        connection.execute(
            update(sync_runs)
            .where(task_try.where())
            .values(
                status=RunStatus(status).value,
                finished_at=finished_at,
                duration_seconds=duration,
                records_read=records_read,
                inserted=counts.inserted,
                updated=counts.updated,
                unchanged=counts.unchanged,
                deleted=counts.deleted,
                api_calls=api_calls,
                message=message,
            )
        )
    return duration
