"""The change-driven Procore read: only the (object type, project) pairs webhook deliveries named.

Each pair is read with the ordinary incremental extract (what changed since its watermark; the whole list
where Procore publishes no ``filters[updated_at]``), then the nested types under it (a changed commitment's
schedule of values, a prime contract's lines). A delete event of a type whose list cannot show deletions
(no ``filters[include_deleted]`` published) marks the staged record deleted, as of the event. Deliveries are
marked consumed only after their read succeeded: a failed read leaves them for the next run. A quiet hour
costs no call here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from procore_xero.clients import ProcoreClient
from procore_xero.events.store import Pending, mark_consumed, pending_deliveries
from procore_xero.extract.feeds import FeedSettings
from procore_xero.extract.procore import extract_procore
from procore_xero.extract.specs import PROCORE_SPECS
from procore_xero.extract.sweep import SPEC_ORDER, Slot
from procore_xero.staging import StagingKey, TaskTry, staging_table, upsert_records
from procore_xero.staging.timestamps import utc_now

log = logging.getLogger(__name__)
S = TypeVar("S")  # what a delivery asks the extract to read


def children(object_type: str) -> list[str]:
    """Nested types read under changed records of ``object_type`` (not payments: they follow invoices)."""
    return [
        spec.name
        for spec in PROCORE_SPECS.values()
        if object_type in spec.parents and not spec.billed_parents and not spec.every_parent
    ]


def group_pending(
    pending: Iterable[Pending], slot_of: Callable[[Pending], S | None]
) -> tuple[dict[S, list[Pending]], list[int]]:
    """The deliveries grouped by the read each asks for (``slot_of``), and the ids of those that name
    nothing this sync reads (``slot_of`` gave None): logged, for the caller to mark consumed unread."""
    groups: dict[S, list[Pending]] = {}
    ignored: list[int] = []
    for delivery in pending:
        slot = slot_of(delivery)
        if slot is None:
            log.warning(
                "delivery %s (%s %s) names nothing this sync reads: consumed without a read",
                delivery.id,
                delivery.resource_name,
                delivery.resource_id,
            )
            ignored.append(delivery.id)
        else:
            groups.setdefault(slot, []).append(delivery)
    return groups, ignored


def read_changes(
    client: ProcoreClient, engine: Engine, feeds: FeedSettings, *, task_try: TaskTry, window_end: datetime
) -> dict[str, Any]:
    pending = pending_deliveries(engine, "procore", str(client.company_id))

    def slot_of(delivery: Pending) -> Slot | None:
        spec = PROCORE_SPECS.get(feeds.object_type(delivery.resource_name) or "")
        if spec is None or (spec.project_scoped and delivery.project_id is None):
            return None
        return (spec.name, delivery.project_id if spec.project_scoped else None)

    groups, ignored = group_pending(pending, slot_of)
    mark_consumed(engine, ignored)
    start = client.api.calls.total
    for slot in sorted(groups, key=lambda s: (SPEC_ORDER[s[0]], s[1] or 0)):
        object_type, project_id = slot
        for name in (object_type, *children(object_type)):
            extract_procore(
                client, engine, name, task_try=task_try, window_end=window_end, project_id=project_id
            )
        if not PROCORE_SPECS[object_type].deletions:
            key = StagingKey(company_id=client.company_id, project_id=project_id)
            deleted = [d for d in groups[slot] if d.event_type == "delete"]
            mark_deleted(engine, object_type, key, deleted, task_try.run_id)
        mark_consumed(engine, [d.id for d in groups[slot]])
    return {
        "deliveries": len(pending),
        "reads": len(groups),
        "ignored": len(ignored),
        "api_calls": client.api.calls.total - start,
    }


def mark_deleted(
    engine: Engine, object_type: str, key: StagingKey, deleted: list[Pending], run_id: str
) -> int:
    """Stage ``deleted_at`` (the event's time) on the staged records the delete events name."""
    if not deleted:
        return 0
    table = staging_table("procore", object_type)
    when = {int(d.resource_id): d.occurred_at or utc_now() for d in deleted}
    query = select(table.c.raw).where(table.c.company_id == key.company_id, table.c.id.in_(list(when)))
    with engine.connect() as connection:
        staged: list[dict[str, Any]] = list(connection.execute(query).scalars())
    stamp = {r["id"]: when[int(r["id"])].strftime("%Y-%m-%dT%H:%M:%SZ") for r in staged}
    records = [{**r, "deleted_at": stamp[r["id"]], "updated_at": stamp[r["id"]]} for r in staged]
    return upsert_records(engine, "procore", object_type, records, key=key, run_id=run_id).deleted
