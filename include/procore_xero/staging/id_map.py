"""The crosswalk between Procore and Xero records, so nothing is created twice and nothing re-sent unchanged.

Ids are stored as text (Procore's integers in decimal), so one table serves both directions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, Engine, select

from procore_xero.staging.dialect import chunks, upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import TenantKey
from procore_xero.staging.schema import id_map
from procore_xero.staging.timestamps import utc_now


@dataclass(frozen=True)
class Crosswalk:
    """One kind of link, e.g. Procore vendors -> Xero contacts."""

    source_system: str
    source_type: str
    target_system: str
    target_type: str

    def where(self, tenant: TenantKey) -> Any:
        return (
            tenant.rows_of(id_map)
            & (id_map.c.source_system == str(self.source_system))
            & (id_map.c.source_type == self.source_type)
            & (id_map.c.target_system == str(self.target_system))
            & (id_map.c.target_type == self.target_type)
        )


@dataclass(frozen=True)
class Mapping:
    """One link and what the sync last knew about its target."""

    source_id: str
    target_id: str
    payload_hash: str | None
    target_updated_at: datetime | None
    synced_at: datetime


def record_mapping(
    bind: Engine | Connection,
    tenant: TenantKey,
    crosswalk: Crosswalk,
    source_id: str | int,
    target_id: str | int,
    *,
    payload_hash: str | None = None,
    target_updated_at: datetime | None = None,
) -> None:
    """Create or replace the link for ``source_id`` after a write to the target."""
    values = {
        "target_id": str(target_id),
        "payload_hash": payload_hash,
        "target_updated_at": target_updated_at,
        "synced_at": utc_now(),
    }
    with transaction(bind) as connection:
        insert = upsert_insert(connection, id_map)
        connection.execute(
            insert.values(
                company_id=tenant.company_id,
                tenant_id=tenant.tenant_id,
                source_system=str(crosswalk.source_system),
                source_type=crosswalk.source_type,
                source_id=str(source_id),
                target_system=str(crosswalk.target_system),
                target_type=crosswalk.target_type,
                **values,
            ).on_conflict_do_update(
                index_elements=[column.name for column in id_map.primary_key.columns],
                set_={name: insert.excluded[name] for name in values},
            )
        )


def lookup_mappings(
    bind: Engine | Connection, tenant: TenantKey, crosswalk: Crosswalk, source_ids: Iterable[str | int]
) -> dict[str, Mapping]:
    """source id -> its Mapping, for every given id that has one (one query per few thousand ids)."""
    rows = _select_in(bind, tenant, crosswalk, id_map.c.source_id, source_ids)
    return {row.source_id: Mapping(**row._asdict()) for row in rows}


def lookup(
    bind: Engine | Connection, tenant: TenantKey, crosswalk: Crosswalk, source_ids: Iterable[str | int]
) -> dict[str, str]:
    """source id -> target id, for every given id that is mapped."""
    return {
        source_id: entry.target_id
        for source_id, entry in lookup_mappings(bind, tenant, crosswalk, source_ids).items()
    }


def all_links(bind: Engine | Connection, tenant: TenantKey, crosswalk: Crosswalk) -> dict[str, str]:
    """source id -> target id for every link of one kind: what a run starts from before its own writes."""
    with transaction(bind) as connection:
        rows = connection.execute(
            select(id_map.c.source_id, id_map.c.target_id).where(crosswalk.where(tenant))
        )
        return {row.source_id: row.target_id for row in rows}


def reverse_lookup(
    bind: Engine | Connection, tenant: TenantKey, crosswalk: Crosswalk, target_ids: Iterable[str | int]
) -> dict[str, str]:
    """target id -> source id: e.g. "did the sync create this Xero bill?" (no feedback loops)."""
    rows = _select_in(bind, tenant, crosswalk, id_map.c.target_id, target_ids)
    return {row.target_id: row.source_id for row in rows}


def _select_in(
    bind: Engine | Connection,
    tenant: TenantKey,
    crosswalk: Crosswalk,
    column: Column[str],
    ids: Iterable[str | int],
) -> list[Any]:
    wanted = sorted({str(value) for value in ids})
    columns = [
        id_map.c.source_id,
        id_map.c.target_id,
        id_map.c.payload_hash,
        id_map.c.target_updated_at,
        id_map.c.synced_at,
    ]
    rows: list[Any] = []
    with transaction(bind) as connection:
        for chunk in chunks(connection, wanted, params_per_item=1):
            rows += connection.execute(
                select(*columns).where(crosswalk.where(tenant), column.in_(chunk))
            ).all()
    return rows


def came_from(bind: Engine | Connection, tenant: TenantKey, system: str, object_type: str) -> set[str]:
    """Ids of ``system``/``object_type`` records the sync created from the other system (the targets of
    links into that type): e.g. Procore vendors made for Xero contacts."""
    with transaction(bind) as connection:
        rows = connection.execute(
            select(id_map.c.target_id).where(
                tenant.rows_of(id_map)
                & (id_map.c.target_system == system)
                & (id_map.c.target_type == object_type)
                & (id_map.c.payload_hash.is_not(None))
            )
        )
        return {row.target_id for row in rows}
