"""The change-driven Xero read: only the contacts and invoices Xero's webhook deliveries named, and the
hourly schedule of everything else.

A delivery names a record (``resourceId``) of a category (``CONTACT``, ``INVOICE``) of a tenant; the run of
that tenant reads the named records by id (``GET /Contacts?IDs=…``, ``GET /Invoices?IDs=…``, published
in xero_accounting.yaml), a batch of ids a call, and stages them with the ordinary upsert. Deliveries are
marked consumed only once their records are committed to staging: a failed or killed read leaves them for
the next run (read again, never lost). These reads move no watermark: the scheduled ``If-Modified-Since``
read still covers everything since its own last read, lost deliveries included.

Types without a webhook (payments, purchase orders, bank transactions, the reference lists) are read on the
hourly schedule when due (``XeroFeedSettings.every_hours``); for contacts and invoices that read is the
check for lost deliveries. A quiet hour costs only the types due.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from procore_xero.clients import XeroClient
from procore_xero.events.store import Pending, mark_consumed, pending_deliveries
from procore_xero.extract.changes import group_pending
from procore_xero.extract.feeds import XeroFeedSettings
from procore_xero.extract.specs import XERO_SPECS, XeroSpec
from procore_xero.staging import (
    RunStatus,
    StagingKey,
    TaskTry,
    UpsertCounts,
    finish_run,
    start_run,
    upsert_records,
)
from procore_xero.staging.schema import sync_state

log = logging.getLogger(__name__)
SYSTEM = "xero"
GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
IDS_PER_CALL = 50  # Xero publishes no maximum for IDs; 50 GUIDs keep the URL under 2,000 characters
# A scheduled run starts a little after the hour and takes a while: a type read at 10:00:40 is due again
# at the 11:00 run, not at 12:00.
DUE_GRACE = timedelta(minutes=5)


def read_xero_changes(
    client: XeroClient, engine: Engine, feeds: XeroFeedSettings, *, task_try: TaskTry
) -> dict[str, Any]:
    """Stage the records the tenant's pending deliveries name; their summary (calls, records, ids asked
    for that Xero did not return)."""
    pending = pending_deliveries(engine, SYSTEM, str(client.tenant_id))
    groups, ignored = group_pending(pending, lambda delivery: _object_type(feeds, delivery))
    mark_consumed(engine, ignored)
    start, read, missing = client.api.calls.total, 0, 0
    for object_type in sorted(groups, key=list(XERO_SPECS).index):
        deliveries = groups[object_type]
        ids = sorted({d.resource_id for d in deliveries})
        records = stage_by_id(client, engine, object_type, ids, task_try)
        read += records
        missing += len(ids) - records
        mark_consumed(engine, [d.id for d in deliveries])
    return {
        "deliveries": len(pending),
        "reads": len(groups),
        "ignored": len(ignored),
        "records_read": read,
        "not_found": missing,
        "api_calls": client.api.calls.total - start,
    }


def _object_type(feeds: XeroFeedSettings, delivery: Pending) -> str | None:
    """What a delivery makes us read: None for categories the sync does not extract (credit notes,
    subscriptions) and for a ``resourceId`` that is not the published uuid (it would go into the query)."""
    if not GUID.match(delivery.resource_id):
        return None
    return feeds.categories.get(delivery.resource_name)


def stage_by_id(
    client: XeroClient, engine: Engine, object_type: str, ids: Sequence[str], task_try: TaskTry
) -> int:
    """Read and stage ``ids`` of ``object_type``, logged in ``sync_runs`` as ``<task>.<type>@changes``;
    how many records Xero returned (an id it does not return is logged: nothing to stage)."""
    from procore_xero.extract.account import read_try

    spec, key = XERO_SPECS[object_type], StagingKey(tenant_id=client.tenant_id)
    run = read_try(task_try, object_type, "changes")
    start_run(engine, run, SYSTEM, object_type, key)
    calls_before, counts, seen = client.api.calls.total, UpsertCounts(), set[str]()
    id_field = f"{spec.endpoint[:-1]}ID"  # ContactID, InvoiceID
    try:
        for records in _by_ids(client, spec, ids):
            counts += upsert_records(engine, SYSTEM, object_type, records, key=key, run_id=run.run_id)
            seen.update(str(record[id_field]) for record in records)
    except Exception as error:
        _finish(engine, run, RunStatus.FAILED, counts, len(seen), client, calls_before, str(error)[:2000])
        raise
    unknown = sorted(set(ids) - seen)
    message = f"Xero returned no {object_type} with id(s) {', '.join(unknown)}" if unknown else None
    if message:
        log.warning("tenant %s: %s", client.tenant_id, message)
    _finish(engine, run, RunStatus.SUCCESS, counts, len(seen), client, calls_before, message)
    return len(seen)


def _by_ids(client: XeroClient, spec: XeroSpec, ids: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    for first in range(0, len(ids), IDS_PER_CALL):
        params = {**dict(spec.params), "IDs": ",".join(ids[first : first + IDS_PER_CALL])}
        yield from client.pages(spec.endpoint, params)


def _finish(
    engine: Engine,
    run: TaskTry,
    status: RunStatus,
    counts: UpsertCounts,
    records: int,
    client: XeroClient,
    calls_before: int,
    message: str | None,
) -> None:
    calls = client.api.calls.total - calls_before
    finish_run(engine, run, status, counts=counts, records_read=records, api_calls=calls, message=message)


def due_xero_types(engine: Engine, tenant_id: str, feeds: XeroFeedSettings, now: datetime) -> list[str]:
    """The tenant's object types a scheduled run reads: never read, interrupted (a resume point waits), or
    last read to the end at least their interval (less ``DUE_GRACE``) before ``now``."""
    t = sync_state
    query = select(t.c.object_type, t.c.updated_at, t.c.resume).where(
        t.c.system == SYSTEM, t.c.account == tenant_id, t.c.scope == ""
    )
    with engine.connect() as connection:
        state = {row.object_type: row for row in connection.execute(query)}
    due = []
    for name in XERO_SPECS:
        row = state.get(name)
        interval = timedelta(hours=feeds.interval_hours(name))
        if row is None or row.resume is not None or now - row.updated_at >= interval - DUE_GRACE:
            due.append(name)
    return due
