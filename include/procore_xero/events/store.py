"""The deliveries table: one row per accepted event, stored once however often it is delivered."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from procore_xero.staging.engine import transaction
from procore_xero.staging.schema import feed_deliveries
from procore_xero.staging.timestamps import parse_api_timestamp, utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One event as the extract needs it: which record of which account (and project) changed how."""

    source: str  # procore | xero
    delivery_key: str
    account: str  # Procore company id, Xero tenant id
    project_id: int | None
    resource_name: str
    resource_id: str
    event_type: str
    occurred_at: datetime | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Pending:
    id: int
    project_id: int | None
    resource_name: str
    resource_id: str
    event_type: str
    occurred_at: datetime | None


def procore_delivery(event: dict[str, Any]) -> Delivery:
    """A validated Procore event object (``intake.procore_event``) as a row, keyed by its ``ulid``."""
    return Delivery(
        "procore",
        event["ulid"],
        str(event["company_id"]),
        event.get("project_id"),
        event["resource_name"],
        str(event["resource_id"]),
        event["event_type"],
        parse_api_timestamp(event.get("timestamp")),
        event,
    )


def xero_delivery(event: dict[str, Any]) -> Delivery:
    """A Xero event, keyed by a digest of what identifies it: Xero events carry no id of their own."""
    identity = [event[k] for k in ("tenantId", "eventCategory", "resourceId", "eventType", "eventDateUtc")]
    return Delivery(
        "xero",
        hashlib.sha256(json.dumps(identity).encode()).hexdigest(),
        event["tenantId"],
        None,
        event["eventCategory"],
        event["resourceId"],
        event["eventType"].lower(),
        parse_api_timestamp(event["eventDateUtc"]),
        event,
    )


def store_delivery(engine: Engine, delivery: Delivery) -> bool:
    """Keep one event; False when it was already stored (a repeated delivery: nothing changes)."""
    row = {
        "source": delivery.source,
        "delivery_key": delivery.delivery_key,
        "account": delivery.account,
        "project_id": delivery.project_id,
        "resource_name": delivery.resource_name,
        "resource_id": delivery.resource_id,
        "event_type": delivery.event_type,
        "occurred_at": delivery.occurred_at,
        "received_at": utc_now(),
        "payload": delivery.payload,
    }
    try:
        with transaction(engine) as connection:
            connection.execute(insert(feed_deliveries).values(**row))
    except IntegrityError:
        return False
    return True


def pending_deliveries(engine: Engine, source: str, account: str) -> list[Pending]:
    """The account's events no extract has consumed yet, oldest first."""
    t = feed_deliveries
    query = (
        select(t.c.id, t.c.project_id, t.c.resource_name, t.c.resource_id, t.c.event_type, t.c.occurred_at)
        .where(t.c.source == source, t.c.account == account, t.c.consumed_at.is_(None))
        .order_by(t.c.id)
    )
    with engine.connect() as connection:
        return [Pending(*row._tuple()) for row in connection.execute(query)]


def mark_consumed(engine: Engine, ids: Iterable[int]) -> int:
    wanted = list(ids)
    if not wanted:
        return 0
    with transaction(engine) as connection:
        t = feed_deliveries
        done = connection.execute(update(t).where(t.c.id.in_(wanted)).values(consumed_at=utc_now()))
        return done.rowcount


def announce_new(engine: Engine, source: str) -> int:
    """Mark the source's deliveries no trigger has announced yet as announced; how many there were.
    One transaction, so two triggerers never announce the same delivery twice."""
    t = feed_deliveries
    with transaction(engine) as connection:
        fresh = t.c.announced_at.is_(None) & (t.c.source == source)
        count = connection.execute(select(func.count()).select_from(t).where(fresh)).scalar_one()
        if count:
            connection.execute(update(t).where(fresh).values(announced_at=utc_now()))
        return count


def discard_unclaimed(engine: Engine, source: str, accounts: Iterable[str]) -> int:
    """Mark consumed, unread and logged one by one, the source's pending deliveries of accounts no tenant
    pairs with (a Xero organisation the app is connected to but the tenants file does not list): nobody
    would ever read them, and they must not wait forever. How many there were."""
    t = feed_deliveries
    known = [str(account) for account in accounts]
    query = select(t.c.id, t.c.account, t.c.resource_name, t.c.resource_id).where(
        t.c.source == source, t.c.consumed_at.is_(None), t.c.account.not_in(known)
    )
    with engine.connect() as connection:
        unclaimed = list(connection.execute(query))
    for row in unclaimed:
        log.warning(
            "%s delivery %s (%s %s) is for account %s, which no tenant pairs with: consumed without a read",
            source,
            row.id,
            row.resource_name,
            row.resource_id,
            row.account,
        )
    return mark_consumed(engine, [row.id for row in unclaimed])
