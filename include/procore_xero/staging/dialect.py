"""The two places SQLite and PostgreSQL differ for staging writes: the upsert construct and bind limits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

T = TypeVar("T")

POSTGRES_MAX_BIND_PARAMS = 65_535
MAX_ROWS_PER_STATEMENT = 1_000
RESERVED_PARAMS = 10  # room for a statement's own parameters beside the per-row ones


def upsert_insert(connection: Connection, table: Table) -> Any:
    """An INSERT with ``on_conflict_do_update`` / ``.excluded`` for the connection's database."""
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"staging supports SQLite and PostgreSQL, not {connection.dialect.name}")


def max_bind_params(connection: Connection) -> int:
    """How many ``?`` one statement may carry: SQLite's compiled limit (999 on old builds) or PostgreSQL's."""
    if connection.dialect.name == "sqlite":
        return connection.connection.dbapi_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    return POSTGRES_MAX_BIND_PARAMS


def chunks(connection: Connection, items: Sequence[T], params_per_item: int) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough that one statement per slice stays under the bind limit."""
    fitting = (max_bind_params(connection) - RESERVED_PARAMS) // params_per_item
    size = max(1, min(MAX_ROWS_PER_STATEMENT, fitting))
    for start in range(0, len(items), size):
        yield items[start : start + size]
