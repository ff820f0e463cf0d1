"""The deliveries table on SQLite and PostgreSQL: the same event stored concurrently is kept once; each
delivery is announced once; consumed ones are no longer pending."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from procore_xero.events.store import (
    Delivery,
    announce_new,
    mark_consumed,
    pending_deliveries,
    procore_delivery,
    store_delivery,
    xero_delivery,
)
from procore_xero.staging import create_staging_engine, ensure_schema

EVENT = {
    "ulid": "01EDPD2J6SBY1163N77H95GW09",
    "company_id": 6452,
    "project_id": 219542,
    "resource_name": "Direct Costs",
    "resource_id": 245510722,
    "event_type": "delete",
    "timestamp": "2026-12-05T15:22:01.353581Z",
}
XERO_EVENT = {
    "resourceUrl": "https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777",
    "resourceId": "717f2bfc-c6d4-41fd-b238-3f2f0c0cf777",
    "eventDateUtc": "2024-06-21T01:15:39.902",
    "eventType": "UPDATE",
    "eventCategory": "CONTACT",
    "tenantId": "c2cc9b6e-9458-4c7d-93cc-f02b81b0594f",
    "tenantType": "ORGANISATION",
}


def test_the_same_event_delivered_at_once_is_stored_once(database_url: str) -> None:
    engine = create_staging_engine(database_url)
    ensure_schema(engine)
    delivery = procore_delivery(EVENT)
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda _: store_delivery(engine, delivery), range(8)))
    assert stored.count(True) == 1
    assert store_delivery(engine, xero_delivery(XERO_EVENT))
    assert not store_delivery(engine, xero_delivery(dict(XERO_EVENT)))  # Xero repeats it: same digest
    later = xero_delivery({**XERO_EVENT, "eventDateUtc": "2024-06-21T01:16:00.000"})
    assert store_delivery(engine, later)  # a later change of the same contact is a new event
    [pending] = pending_deliveries(engine, "procore", "6452")
    assert (pending.project_id, pending.resource_id, pending.event_type) == (219542, "245510722", "delete")
    assert pending.occurred_at == datetime(2026, 12, 5, 15, 22, 1, 353581, tzinfo=UTC)
    assert (
        announce_new(engine, "procore"),
        announce_new(engine, "procore"),
        announce_new(engine, "xero"),
    ) == (1, 0, 2)
    assert mark_consumed(engine, [pending.id]) == 1
    assert pending_deliveries(engine, "procore", "6452") == []
    xero = pending_deliveries(engine, "xero", XERO_EVENT["tenantId"])
    assert [(p.resource_name, p.event_type) for p in xero] == [("CONTACT", "update")] * 2


def test_a_delivery_row_keeps_what_was_sent() -> None:
    delivery = procore_delivery(EVENT)
    assert delivery == Delivery(
        "procore",
        EVENT["ulid"],
        "6452",
        219542,
        "Direct Costs",
        "245510722",
        "delete",
        datetime(2026, 12, 5, 15, 22, 1, 353581, tzinfo=UTC),
        EVENT,
    )
