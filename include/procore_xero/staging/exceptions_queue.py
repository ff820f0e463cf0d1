"""The exception queue: records the sync skipped or held, who, why, and the controller's call."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, exists, func, select, update

from procore_xero.staging.dialect import chunks, upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import TenantKey
from procore_xero.staging.schema import OPEN_EXCEPTION, PROBLEM_COLUMNS, exceptions
from procore_xero.staging.timestamps import utc_now


class ExceptionStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESOLVED = "resolved"
    # Closed by design: its project is not at the send stage (``sync.scope``); nobody can act on it, and
    # the sync re-opens it if the project comes back into scope and the record still fails.
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Problem:
    """What makes two exceptions the same: one reason on one source record of one tenant."""

    tenant: TenantKey
    source_system: str
    object_type: str
    source_id: str | int
    reason_code: str

    def where(self) -> Any:
        return (
            self.tenant.rows_of(exceptions)
            & (exceptions.c.source_system == str(self.source_system))
            & (exceptions.c.object_type == self.object_type)
            & (exceptions.c.source_id == str(self.source_id))
            & (exceptions.c.reason_code == self.reason_code)
        )


@dataclass(frozen=True)
class QueuedException:
    id: int
    problem: Problem
    source_label: str
    message: str
    details: Any
    status: ExceptionStatus
    occurrences: int
    created_at: datetime
    last_seen_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    run_id: str | None


class ExceptionDecisionError(LookupError):
    """A decision on an exception that does not exist or is no longer open."""


def raise_exception(
    bind: Engine | Connection,
    problem: Problem,
    *,
    source_label: str,
    message: str,
    details: Any = None,
    run_id: str | None = None,
) -> int:
    """Queue the problem, or if already open bump ``occurrences`` and refresh its text; returns its id.
    One closed as out of scope is re-opened (same id, same age) rather than queued anew."""
    now = utc_now()
    refreshed = {"source_label": source_label, "message": message, "details": details, "run_id": run_id}
    with transaction(bind) as connection:
        _reopen_out_of_scope(connection, problem)
        insert = upsert_insert(connection, exceptions)
        statement = insert.values(
            company_id=problem.tenant.company_id,
            tenant_id=problem.tenant.tenant_id,
            source_system=str(problem.source_system),
            object_type=problem.object_type,
            source_id=str(problem.source_id),
            reason_code=problem.reason_code,
            status=ExceptionStatus.OPEN.value,
            occurrences=1,
            created_at=now,
            updated_at=now,
            last_seen_at=now,
            **refreshed,
        ).on_conflict_do_update(
            index_elements=list(PROBLEM_COLUMNS),
            index_where=OPEN_EXCEPTION,
            set_={
                **{name: insert.excluded[name] for name in refreshed},
                "occurrences": exceptions.c.occurrences + 1,
                "updated_at": insert.excluded.updated_at,
                "last_seen_at": insert.excluded.last_seen_at,
            },
        )
        return connection.execute(statement.returning(exceptions.c.id)).scalar_one()


def _reopen_out_of_scope(connection: Connection, problem: Problem) -> None:
    """The problem's latest out-of-scope exception back to open, unless one is open already."""
    latest = (
        select(func.max(exceptions.c.id))
        .where(problem.where(), exceptions.c.status == ExceptionStatus.OUT_OF_SCOPE.value)
        .scalar_subquery()
    )
    already_open = exists().where(problem.where(), exceptions.c.status == ExceptionStatus.OPEN.value)
    connection.execute(
        update(exceptions)
        .where(exceptions.c.id == latest, ~already_open)
        .values(status=ExceptionStatus.OPEN.value, updated_at=utc_now())
    )


def _of_records(tenant: TenantKey, source_system: str, object_type: str, source_ids: Sequence[str]) -> tuple:
    """The conditions selecting the exceptions of these records of one tenant (the bulk closes' filter)."""
    return (
        tenant.rows_of(exceptions),
        exceptions.c.source_system == source_system,
        exceptions.c.object_type == object_type,
        exceptions.c.source_id.in_(source_ids),
    )


def close_out_of_scope(
    bind: Engine | Connection,
    tenant: TenantKey,
    source_system: str,
    object_type: str,
    source_ids: Iterable[str],
    *,
    run_id: str | None = None,
) -> int:
    """Close every open exception of records whose project is out of scope by design, whatever held them
    (status ``out_of_scope``: the reason is recorded, the row kept); approved and rejected ones keep the
    controller's call. Returns rows closed."""
    closed = 0
    with transaction(bind) as connection:
        for chunk in chunks(connection, sorted(set(source_ids)), params_per_item=1):
            closed += connection.execute(
                update(exceptions)
                .where(
                    *_of_records(tenant, source_system, object_type, chunk),
                    exceptions.c.status == ExceptionStatus.OPEN.value,
                )
                .values(status=ExceptionStatus.OUT_OF_SCOPE.value, updated_at=utc_now(), run_id=run_id)
            ).rowcount
    return closed


def list_open(bind: Engine | Connection, tenant: TenantKey | None = None) -> list[QueuedException]:
    """Open exceptions, oldest first, for one tenant or all."""
    query = (
        select(exceptions).where(exceptions.c.status == ExceptionStatus.OPEN.value).order_by(exceptions.c.id)
    )
    if tenant is not None:
        query = query.where(tenant.rows_of(exceptions))
    with transaction(bind) as connection:
        return [_queued(row) for row in connection.execute(query)]


def decide(
    bind: Engine | Connection,
    exception_id: int,
    *,
    approve: bool,
    decided_by: str,
    run_id: str | None = None,
) -> ExceptionStatus:
    """The controller's call on an open exception: approved (let it through) or rejected (keep it out);
    ``run_id``: the run whose approval task took the answer (what its ``apply_approvals`` then posts)."""
    status = ExceptionStatus.APPROVED if approve else ExceptionStatus.REJECTED
    now = utc_now()
    stamp = {"run_id": run_id} if run_id is not None else {}
    with transaction(bind) as connection:
        changed = connection.execute(
            update(exceptions)
            .where(exceptions.c.id == exception_id, exceptions.c.status == ExceptionStatus.OPEN.value)
            .values(status=status.value, decided_by=decided_by, decided_at=now, updated_at=now, **stamp)
        ).rowcount
    if changed != 1:
        raise ExceptionDecisionError(f"exception {exception_id} does not exist or is not open")
    return status


def resolve(bind: Engine | Connection, problem: Problem, *, run_id: str | None = None) -> int:
    """Close the problem's open or approved exception once its record went through; returns rows closed."""
    with transaction(bind) as connection:
        return connection.execute(
            update(exceptions)
            .where(
                problem.where(),
                exceptions.c.status.in_([ExceptionStatus.OPEN.value, ExceptionStatus.APPROVED.value]),
            )
            .values(status=ExceptionStatus.RESOLVED.value, updated_at=utc_now(), run_id=run_id)
        ).rowcount


def resolve_passed(
    bind: Engine | Connection,
    tenant: TenantKey,
    source_system: str,
    object_type: str,
    source_ids: Iterable[str],
    reason_codes: Iterable[str],
    *,
    run_id: str | None = None,
) -> int:
    """Close the open or approved exceptions of ``reason_codes`` on records that now pass; returns rows."""
    wanted, reasons = sorted(set(source_ids)), sorted(set(reason_codes))
    closed = 0
    with transaction(bind) as connection:
        for chunk in chunks(connection, wanted, params_per_item=1):
            closed += connection.execute(
                update(exceptions)
                .where(
                    *_of_records(tenant, source_system, object_type, chunk),
                    exceptions.c.reason_code.in_(reasons),
                    exceptions.c.status.in_([ExceptionStatus.OPEN.value, ExceptionStatus.APPROVED.value]),
                )
                .values(status=ExceptionStatus.RESOLVED.value, updated_at=utc_now(), run_id=run_id)
            ).rowcount
    return closed


def decided(
    bind: Engine | Connection, tenant: TenantKey, source_system: str, object_type: str
) -> dict[tuple[str, str], QueuedException]:
    """The controller's latest approval or rejection per (source id, reason) of one object type. An
    approval stays one once its record was posted (status ``resolved``, still ``decided_by``): the record,
    unchanged, is not held again on the next run."""
    query = (
        select(exceptions)
        .where(
            tenant.rows_of(exceptions),
            exceptions.c.source_system == source_system,
            exceptions.c.object_type == object_type,
            exceptions.c.decided_at.is_not(None),
            exceptions.c.status.in_([s.value for s in ExceptionStatus if s is not ExceptionStatus.OPEN]),
        )
        .order_by(exceptions.c.decided_at)
    )
    with transaction(bind) as connection:
        latest: dict[tuple[str, str], QueuedException] = {}
        for row in connection.execute(query):
            queued = _queued(row)
            if queued.status is ExceptionStatus.RESOLVED:
                queued = replace(queued, status=ExceptionStatus.APPROVED)
            latest[(str(queued.problem.source_id), queued.problem.reason_code)] = queued
        return latest


def decided_in_run(bind: Engine | Connection, tenant: TenantKey, run_id: str) -> list[QueuedException]:
    """The approvals and rejections that run's approval task recorded and nothing has acted on yet."""
    query = (
        select(exceptions)
        .where(
            tenant.rows_of(exceptions),
            exceptions.c.run_id == run_id,
            exceptions.c.decided_at.is_not(None),
            exceptions.c.status.in_([ExceptionStatus.APPROVED.value, ExceptionStatus.REJECTED.value]),
        )
        .order_by(exceptions.c.id)
    )
    with transaction(bind) as connection:
        return [_queued(row) for row in connection.execute(query)]


def _queued(row: Any) -> QueuedException:
    problem = Problem(
        TenantKey(row.company_id, row.tenant_id),
        row.source_system,
        row.object_type,
        row.source_id,
        row.reason_code,
    )
    return QueuedException(
        id=row.id,
        problem=problem,
        source_label=row.source_label,
        message=row.message,
        details=row.details,
        status=ExceptionStatus(row.status),
        occurrences=row.occurrences,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        run_id=row.run_id,
    )
