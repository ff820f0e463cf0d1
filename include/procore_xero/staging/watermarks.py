"""Per (system, object type, account, scope) progress: the incremental watermark and a resume point."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, select

from procore_xero.staging.dialect import upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import StagingKey
from procore_xero.staging.schema import sync_state
from procore_xero.staging.timestamps import utc_now


def _where(object_type: str, key: StagingKey) -> Any:
    return (
        (sync_state.c.system == key.system.value)
        & (sync_state.c.object_type == object_type)
        & (sync_state.c.account == key.account)
        & (sync_state.c.scope == key.scope)
    )


def _read(bind: Engine | Connection, column: str, object_type: str, key: StagingKey) -> Any:
    with transaction(bind) as connection:
        return connection.execute(
            select(sync_state.c[column]).where(_where(object_type, key))
        ).scalar_one_or_none()


def get_watermark(bind: Engine | Connection, object_type: str, key: StagingKey) -> datetime | None:
    """The ``updated_at`` up to which everything has been read; None before the first full read."""
    return _read(bind, "watermark", object_type, key)


def get_resume(bind: Engine | Connection, object_type: str, key: StagingKey) -> Any:
    """Where an interrupted read continues (e.g. ``{"page": 7}`` after a daily-limit stop), or None."""
    return _read(bind, "resume", object_type, key)


def set_watermark(
    bind: Engine | Connection, object_type: str, key: StagingKey, watermark: datetime, *, force: bool = False
) -> datetime:
    """Move the watermark forward (back only with ``force``, e.g. a full refresh); returns the stored one."""
    if watermark.tzinfo is None:
        raise ValueError("watermarks are timezone-aware UTC")

    def forward_only(excluded: Any) -> dict[str, Any]:
        if force:
            return {"watermark": excluded.watermark}
        current = sync_state.c.watermark
        moves = current.is_(None) | (excluded.watermark > current)
        return {"watermark": case((moves, excluded.watermark), else_=current)}

    return _upsert(bind, object_type, key, {"watermark": watermark}, forward_only)


def set_resume(bind: Engine | Connection, object_type: str, key: StagingKey, resume: Any) -> None:
    """Remember where to continue; the watermark is untouched."""
    _upsert(bind, object_type, key, {"resume": resume}, lambda excluded: {"resume": excluded.resume})


def clear_resume(bind: Engine | Connection, object_type: str, key: StagingKey) -> None:
    set_resume(bind, object_type, key, None)


def _upsert(
    bind: Engine | Connection,
    object_type: str,
    key: StagingKey,
    values: dict[str, Any],
    updates: Callable[[Any], dict[str, Any]],
) -> Any:
    """Create or update one sync_state row; returns its watermark after the write."""
    with transaction(bind) as connection:
        insert = upsert_insert(connection, sync_state)
        statement = insert.values(
            system=key.system.value,
            object_type=object_type,
            account=key.account,
            scope=key.scope,
            updated_at=utc_now(),
            **values,
        ).on_conflict_do_update(
            index_elements=[column.name for column in sync_state.primary_key.columns],
            set_={"updated_at": insert.excluded.updated_at, **updates(insert.excluded)},
        )
        return connection.execute(statement.returning(sync_state.c.watermark)).scalar_one()
