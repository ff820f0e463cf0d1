"""The held records a tenant's approval lists, read from the exception queue and the staged records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, select

from procore_xero.airflow.approval_page import HeldRecord
from procore_xero.objects import APPROVABLE_REASONS
from procore_xero.staging import QueuedException, TenantKey, list_open
from procore_xero.staging.schema import staging_table

# Where a staged document names its vendor (Procore commitments) or contact (Xero documents).
VENDOR_FIELDS = {"procore": ("vendor", "company"), "xero": ("Contact", "Name")}


def held_records(engine: Engine, tenant: TenantKey, source_system: str) -> list[HeldRecord]:
    """Every ``source_system`` record with an open overrulable exception, with all its open reasons."""
    by_record: dict[tuple[str, str], list[QueuedException]] = defaultdict(list)
    for queued in list_open(engine, tenant):
        if queued.problem.source_system == source_system:
            by_record[(queued.problem.object_type, str(queued.problem.source_id))].append(queued)
    wanted = {key: queue for key, queue in by_record.items() if _overrulable(queue)}
    vendors = _vendor_names(engine, tenant, source_system, wanted)
    return [_record(queue, vendors.get(key)) for key, queue in wanted.items()]


def _overrulable(queue: Sequence[QueuedException]) -> list[QueuedException]:
    return [q for q in queue if q.problem.reason_code in APPROVABLE_REASONS]


def _record(queue: Sequence[QueuedException], vendor: str | None) -> HeldRecord:
    first = _overrulable(queue)[0]
    values = (first.details or {}).get("values") or {}
    return HeldRecord(
        id=first.id,
        exception_ids=tuple(q.id for q in queue),
        document=first.source_label,
        vendor=vendor,
        amount=_text(values.get("total")),
        budget_left=_text(values.get("remaining_budget")),
        reasons=tuple((q.problem.reason_code, q.message) for q in queue),
        blocking=tuple(
            sorted({q.problem.reason_code for q in queue if q.problem.reason_code not in APPROVABLE_REASONS})
        ),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _vendor_names(
    engine: Engine, tenant: TenantKey, source_system: str, records: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """(object type, source id) -> the vendor / contact name its staged record carries."""
    outer, inner = VENDOR_FIELDS[source_system]
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for object_type, source_id in records:
        ids_by_type[object_type].append(source_id)
    names: dict[tuple[str, str], str] = {}
    with engine.connect() as connection:
        for object_type, ids in ids_by_type.items():
            table = staging_table(source_system, object_type)
            owner = (
                table.c.company_id == tenant.company_id
                if source_system == "procore"
                else table.c.tenant_id == tenant.tenant_id
            )
            keys = [int(i) for i in ids] if source_system == "procore" else ids
            rows = connection.execute(select(table.c.id, table.c.raw).where(owner, table.c.id.in_(keys)))
            for row in rows:
                name = (row.raw.get(outer) or {}).get(inner)
                if name:
                    names[(object_type, str(row.id))] = str(name)
    return names
