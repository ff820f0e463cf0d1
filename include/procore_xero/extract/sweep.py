"""The reconciliation sweep: Procore reads on a schedule, under an explicit call budget an hour.

Each (object type, project) is a slot; a slot is due when it was last read more than its ``every_hours``
ago (``FeedSettings``). The sweep reads the most overdue slots first with the ordinary incremental extract
(``filters[updated_at]`` since the slot's watermark, or the whole list where Procore publishes no such
filter) until the budget is spent. For types without a webhook this is their only read; for types with one
it finds what a lost delivery did not announce. Cost per hour: at most the budget, whatever the project count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from procore_xero.clients import ProcoreClient
from procore_xero.extract.feeds import FeedSettings
from procore_xero.extract.procore import extract_procore, staged_project_ids
from procore_xero.extract.specs import COMPANY_SCOPED, PROCORE_SPECS, PROJECT_SCOPED
from procore_xero.staging import TaskTry
from procore_xero.staging.schema import sync_state

Slot = tuple[str, int | None]  # (object type, project id; None for company-wide types)
SPEC_ORDER = {name: index for index, name in enumerate(PROCORE_SPECS)}  # parents before their children


def all_slots(project_ids: Iterable[int]) -> list[Slot]:
    projects = list(project_ids)
    return [(name, None) for name in COMPANY_SCOPED] + [(n, p) for n in PROJECT_SCOPED for p in projects]


def last_reads(engine: Engine, company_id: int) -> dict[Slot, datetime]:
    """When each slot of the company was last read to the end (its sync_state row's time)."""
    t = sync_state
    query = select(t.c.object_type, t.c.scope, t.c.updated_at).where(
        t.c.system == "procore", t.c.account == str(company_id), t.c.watermark.is_not(None)
    )
    with engine.connect() as connection:
        return {
            (row.object_type, int(row.scope) if row.scope else None): row.updated_at
            for row in connection.execute(query)
        }


def plan_sweep(
    slots: Iterable[Slot], last_read: Mapping[Slot, datetime], feeds: FeedSettings, now: datetime
) -> list[Slot]:
    """The due slots, most overdue first (never read = most of all), at most ``calls_per_hour`` of them:
    each costs one call on a quiet hour (one page of what changed, or of a list read whole)."""
    due: list[tuple[float, int, Slot]] = []
    for slot in slots:
        read = last_read.get(slot)
        interval = timedelta(hours=feeds.interval_hours(slot[0]))
        overdue = math.inf if read is None else (now - read) / interval
        if overdue >= 1:
            due.append((-overdue, SPEC_ORDER[slot[0]], slot))
    due.sort(key=lambda item: (item[0], item[1], item[2][1] or 0))
    return [slot for _, _, slot in due[: feeds.calls_per_hour]]


def run_sweep(
    client: ProcoreClient,
    engine: Engine,
    feeds: FeedSettings,
    *,
    task_try: TaskTry,
    window_end: datetime,
    now: datetime,
) -> dict[str, Any]:
    """Read the planned slots until the budget is spent (checked before each read: a read that pages may
    end past it by its extra pages). Returns what it read and the calls it spent."""
    company_id = client.company_id
    plan = plan_sweep(
        all_slots(staged_project_ids(engine, company_id)), last_reads(engine, company_id), feeds, now
    )
    start = client.api.calls.total
    read: list[Slot] = []
    for object_type, project_id in plan:
        if client.api.calls.total - start >= feeds.calls_per_hour:
            break
        extract_procore(
            client, engine, object_type, task_try=task_try, window_end=window_end, project_id=project_id
        )
        read.append((object_type, project_id))
    return {
        "planned": len(plan),
        "read": len(read),
        "api_calls": client.api.calls.total - start,
        "budget": feeds.calls_per_hour,
    }
