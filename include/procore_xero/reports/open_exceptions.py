"""Every open exception a person may see, across tenants: filtered, sorted by the money it holds back.

The controller's exceptions page reads this. Records that wait by design (projects not sent to Xero) are
left out, as in the drift report's waiting list: they need no decision. The money at stake is the drift
report's (``held_amount``); the tie-break is age (oldest first), then the exception id, so the order is
stable between page loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from procore_xero.reports.inputs import record_projects
from procore_xero.reports.money import dec
from procore_xero.reports.waiting import BY_DESIGN, held_amount
from procore_xero.staging import QueuedException, TenantKey, list_open


@dataclass(frozen=True)
class ExceptionFilter:
    """What the page's form narrows to; ``None`` is "any". ``min_age``: open at least this long."""

    tenant: str | None = None
    project: str | None = None
    reason: str | None = None
    min_age: timedelta | None = None


@dataclass(frozen=True)
class OpenException:
    """One row of the page."""

    tenant: str
    exception_id: int
    object_type: str
    source_id: str
    document: str
    reason_code: str
    message: str
    project_id: str | None
    at_stake: Decimal
    total: Decimal | None
    first_seen: datetime
    approval_url: str | None


def open_exceptions(
    engine: Engine,
    tenants: Mapping[str, TenantKey],
    *,
    now: datetime,
    approvals: Mapping[int, str],
    wanted: ExceptionFilter,
) -> list[OpenException]:
    """The open exceptions of ``tenants`` (name -> staging key: only those the user may see) that match
    ``wanted``, most money at stake first; ``approvals``: exception id -> its pending approval's address."""
    rows: list[OpenException] = []
    for name, key in tenants.items():
        if wanted.tenant not in (None, name):
            continue
        queued = tuple(q for q in list_open(engine, key) if q.problem.reason_code not in BY_DESIGN)
        projects = record_projects(engine, key, queued, {})
        for exception in queued:
            problem = exception.problem
            project = projects.get((problem.source_system, problem.object_type, str(problem.source_id)))
            row = _row(name, exception, project, approvals.get(exception.id))
            if _matches(row, wanted, now):
                rows.append(row)
    return sorted(rows, key=lambda row: (-row.at_stake, row.first_seen, row.exception_id))


def _row(tenant: str, exception: QueuedException, project: str | None, approval: str | None) -> OpenException:
    problem = exception.problem
    values = _values(exception.details)
    total = values.get("total")
    return OpenException(
        tenant=tenant,
        exception_id=exception.id,
        object_type=problem.object_type,
        source_id=str(problem.source_id),
        document=exception.source_label,
        reason_code=problem.reason_code,
        message=exception.message,
        project_id=project,
        at_stake=held_amount(exception.details),
        total=None if total is None else dec(total),
        first_seen=exception.created_at,
        approval_url=approval,
    )


def _values(details: Any) -> Mapping[str, Any]:
    values = details.get("values") if isinstance(details, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def _matches(row: OpenException, wanted: ExceptionFilter, now: datetime) -> bool:
    if wanted.project not in (None, row.project_id):
        return False
    if wanted.reason not in (None, row.reason_code):
        return False
    return wanted.min_age is None or now - row.first_seen >= wanted.min_age
