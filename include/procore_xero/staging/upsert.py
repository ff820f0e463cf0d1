"""Idempotent bulk upsert of API records into their staging table, with honest change counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, select

from procore_xero.staging import jsoncodec
from procore_xero.staging.dialect import chunks, upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import StagingKey
from procore_xero.staging.objects import ObjectType, System, get_object_type
from procore_xero.staging.schema import STAGING_TABLES
from procore_xero.staging.timestamps import parse_api_timestamp, utc_now

# Columns that follow the record's content; on an unchanged record (same hash) they keep their values.
CONTENT_COLUMNS = ("project_id", "updated_at", "deleted", "raw", "content_hash", "last_run_id")


class StagingRecordError(ValueError):
    """A record that cannot be staged (no key, bad timestamp); nothing of its batch was written."""


@dataclass(frozen=True)
class UpsertCounts:
    """What one or more upserts did. ``deleted`` = inserted or changed records that are now deleted."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.deleted + other.deleted,
        )


def upsert_records(
    bind: Engine | Connection,
    system: str,
    object_type: str,
    records: list[dict[str, Any]],
    *,
    key: StagingKey,
    run_id: str | None,
) -> UpsertCounts:
    """Insert new records, update changed ones, touch only ``last_seen_at`` of unchanged ones.

    All records are checked before anything is written, and the batch is one transaction. A record
    repeated in the batch (pages shifting under the reader) counts once; its last copy wins.
    """
    kind = get_object_type(system, object_type)
    if key.system is not kind.system:
        raise ValueError(f"{kind.system} records need a {kind.system} key, got {key}")
    now = utc_now()
    rows: dict[int | str, dict[str, Any]] = {}
    for position, record in enumerate(records):
        row = _row(kind, key, record, position, now, run_id)
        rows[row["id"]] = row
    table = STAGING_TABLES[kind]
    account_column = table.c.company_id if kind.system is System.PROCORE else table.c.tenant_id
    account_value = key.company_id if kind.system is System.PROCORE else key.tenant_id
    counts = UpsertCounts()
    with transaction(bind) as connection:
        for chunk in chunks(connection, list(rows.values()), params_per_item=len(table.columns)):
            existing: dict[Any, str] = dict(
                connection.execute(
                    select(table.c.id, table.c.content_hash).where(
                        account_column == account_value, table.c.id.in_([row["id"] for row in chunk])
                    )
                ).all()
            )
            connection.execute(_upsert_statement(connection, kind), list(chunk))
            counts += _count(chunk, existing)
    return counts


def _row(
    kind: ObjectType,
    key: StagingKey,
    record: dict[str, Any],
    position: int,
    now: datetime,
    run_id: str | None,
) -> dict[str, Any]:
    where = f"{kind.system} {kind.name} record #{position}"
    if kind.key_field not in record or record[kind.key_field] in (None, ""):
        raise StagingRecordError(f"{where} has no {kind.key_field!r}: cannot stage it without its key")
    try:
        updated_at = parse_api_timestamp(record.get(kind.updated_field))
    except ValueError as error:
        raise StagingRecordError(
            f"{where} ({kind.key_field}={record[kind.key_field]!r}): {kind.updated_field}: {error}"
        ) from None
    row: dict[str, Any] = {
        "id": _record_id(kind, record[kind.key_field], where),
        "updated_at": updated_at,
        "deleted": kind.is_deleted(record),
        "raw": record,
        "content_hash": jsoncodec.content_hash(record),
        "first_seen_at": now,
        "last_seen_at": now,
        "last_run_id": run_id,
    }
    if kind.system is System.PROCORE:
        row.update(company_id=key.company_id, project_id=key.project_id)
    else:
        row["tenant_id"] = key.tenant_id
    return row


def _record_id(kind: ObjectType, value: Any, where: str) -> int | str:
    if kind.system is System.XERO:
        return str(value)
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isdigit())
    ):
        raise StagingRecordError(f"{where}: {kind.key_field}={value!r} is not an integer id")
    return int(value)


def _upsert_statement(connection: Connection, kind: ObjectType) -> Any:
    table = STAGING_TABLES[kind]
    insert = upsert_insert(connection, table)
    same_content = table.c.content_hash == insert.excluded.content_hash
    content_updates = {
        name: case((same_content, table.c[name]), else_=insert.excluded[name])
        for name in CONTENT_COLUMNS
        if name in table.c
    }
    return insert.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={**content_updates, "last_seen_at": insert.excluded.last_seen_at},
    )


def _count(chunk: Any, existing: dict[Any, str]) -> UpsertCounts:
    inserted = updated = unchanged = deleted = 0
    for row in chunk:
        previous_hash = existing.get(row["id"])
        if previous_hash == row["content_hash"]:
            unchanged += 1
            continue
        if previous_hash is None:
            inserted += 1
        else:
            updated += 1
        deleted += row["deleted"]
    return UpsertCounts(inserted, updated, unchanged, deleted)
