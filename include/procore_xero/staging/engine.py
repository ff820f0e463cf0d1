"""Where the staging database is and how to connect to it so parallel tasks don't lock each other out."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

SQLITE_BUSY_TIMEOUT_MS = 60_000


def data_dir() -> Path:
    """``PXSYNC_DATA_DIR`` or ``./data``, created if missing."""
    path = Path(os.environ.get("PXSYNC_DATA_DIR", "data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def staging_url() -> str:
    """``STAGING_DB_URL``, else the embedded default: a SQLite file ``<data dir>/staging.db``."""
    return os.environ.get("STAGING_DB_URL") or f"sqlite:///{(data_dir() / 'staging.db').resolve()}"


def create_staging_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default ``staging_url()``); SQLite gets WAL, a busy timeout and foreign keys."""
    engine = create_engine(url or staging_url(), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside one writer; BEGIN IMMEDIATE takes the write lock up front.

    pysqlite's default deferred transactions read first and upgrade to a write lock later, which fails
    at once with "database is locked" when another task committed meanwhile; the busy timeout cannot help
    there. So SQLAlchemy, not the driver, starts every transaction, and starts it IMMEDIATE.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _enable_wal(cursor: Any) -> None:
    """Switch a new database file to WAL (the setting persists in the file).

    The switch needs the file to itself and SQLite does not apply the busy timeout to it, so when several
    tasks open a brand-new file at once the losers get "database is locked": wait and try again.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextmanager
def transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """All-or-nothing work on an engine (commits) or inside a caller's connection (a savepoint)."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            yield connection
    elif bind.in_transaction():
        with bind.begin_nested():
            yield bind
    else:
        with bind.begin():
            yield bind
