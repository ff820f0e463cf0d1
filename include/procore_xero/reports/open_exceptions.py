"""Every open exception a person may see, across tenants: filtered, sorted by the money it holds back.

The controller's exceptions page reads this: the open queue as it is, the same records the drift report
counts (records of projects out of scope by design are not queued at all: ``sync.scope``). The money at
stake is the drift report's (``held_amount``); the tie-break is age (oldest first), then the exception id,
so the order is stable between page loads.

Documents held for a root (a vendor missing or ambiguous in Xero, a project not synced) are grouped under
it by ``grouped``: one row per root with its documents' count and money (``reports.exception_roots``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from procore_xero.reports.exception_roots import (
    ROOT_REASONS,
    Root,
    StagedDocument,
    project_labels,
    root_of,
    staged_documents,
)
from procore_xero.reports.inputs import record_projects
from procore_xero.reports.money import ZERO, dec
from procore_xero.reports.waiting import held_amount
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
    root: Root | None = None


@dataclass(frozen=True)
class RootGroup:
    """The open exceptions of one tenant that wait on one root, as one row of the page."""

    tenant: str
    root: Root
    members: tuple[OpenException, ...]

    @property
    def documents(self) -> int:
        return len(self._each_document())

    @property
    def at_stake(self) -> Decimal:
        return sum((m.at_stake for m in self._each_document()), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((m.total or ZERO for m in self._each_document()), ZERO)

    def _each_document(self) -> list[OpenException]:
        """One member per record: a record held twice for the same root counts once."""
        return list({(m.object_type, m.source_id): m for m in reversed(self.members)}.values())

    @property
    def first_seen(self) -> datetime:
        return min(m.first_seen for m in self.members)

    @property
    def reasons(self) -> list[str]:
        return sorted({m.reason_code for m in self.members})


def grouped(rows: list[OpenException]) -> list[OpenException | RootGroup]:
    """``rows`` with the ones that wait on a root folded into one ``RootGroup`` per tenant and root, most
    money first (``_money``; members keep their order)."""
    groups: dict[tuple[str, Root], list[OpenException]] = {}
    listed: list[OpenException | RootGroup] = []
    for row in rows:
        if row.root is None:
            listed.append(row)
        else:
            groups.setdefault((row.tenant, row.root), []).append(row)
    listed += [RootGroup(tenant, root, tuple(members)) for (tenant, root), members in groups.items()]
    return sorted(listed, key=lambda item: (-_money(item), item.first_seen, _order(item)))


def _money(item: OpenException | RootGroup) -> Decimal:
    """What an item's place in the list goes by: a record's money at stake; a root's documents are held
    back whole until it is fixed, so the larger of its records' total and their money at stake."""
    return max(item.at_stake, item.total) if isinstance(item, RootGroup) else item.at_stake


def _order(item: OpenException | RootGroup) -> tuple[str, str]:
    if isinstance(item, RootGroup):
        return (item.root.kind, item.root.key)
    return ("", f"{item.exception_id:012d}")


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
        queued = tuple(list_open(engine, key))
        projects = record_projects(engine, key, queued, {})
        held = {_record(q) for q in queued if q.problem.reason_code in ROOT_REASONS}
        staged = staged_documents(engine, key, held)
        labels = project_labels(engine, key, {p for p in projects.values() if p is not None})
        for exception in queued:
            record = _record(exception)
            project, document = projects.get(record), staged.get(record)
            root = root_of(exception.problem.reason_code, project, document, labels)
            row = _row(name, exception, project, approvals.get(exception.id), root, document)
            if _matches(row, wanted, now):
                rows.append(row)
    return sorted(rows, key=lambda row: (-row.at_stake, row.first_seen, row.exception_id))


def _record(exception: QueuedException) -> tuple[str, str, str]:
    problem = exception.problem
    return (problem.source_system, problem.object_type, str(problem.source_id))


def _row(
    tenant: str,
    exception: QueuedException,
    project: str | None,
    approval: str | None,
    root: Root | None,
    staged: StagedDocument | None,
) -> OpenException:
    """A document held for a root shows its staged amount as its total when the failing values name none
    (a mapping rule's do not); the money at stake stays the drift report's."""
    problem = exception.problem
    values = _values(exception.details)
    total = dec(values["total"]) if values.get("total") is not None else None
    if root is not None and total is None and staged is not None:
        total = staged.amount
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
        total=total,
        first_seen=exception.created_at,
        approval_url=approval,
        root=root,
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
