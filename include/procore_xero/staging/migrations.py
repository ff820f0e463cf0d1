"""Versioned schema creation that many tasks may call at once.

``schema.py`` always describes the latest schema. Version 1 creates it from scratch, so a new database
runs only version 1 and is stamped at the latest version; an existing database runs every migration
after its stamped version. A schema change is therefore two edits: change ``schema.py`` and append a
migration that makes the same change to existing databases (``operations(connection)`` gives alembic's
``Operations`` for ALTERs that also work on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, Engine, func, insert, inspect, select, text

from procore_xero.staging.engine import transaction
from procore_xero.staging.schema import (
    api_calls,
    api_limits,
    extract_progress,
    feed_deliveries,
    job_costs,
    metadata,
    oauth_tokens,
    schema_version,
    staging_table,
    write_leases,
)
from procore_xero.staging.timestamps import utc_now

Migration = Callable[[Connection], None]

# Serialises schema changes across processes on PostgreSQL (any constant unique to this app).
POSTGRES_ADVISORY_LOCK_KEY = 0x5058_5359_4E43  # "PXSYNC"


class SchemaVersionError(RuntimeError):
    """The database was migrated by newer code than this."""


def create_baseline(connection: Connection) -> None:
    """Version 1: every table in ``schema.py``."""
    metadata.create_all(connection)


def add_oauth_tokens(connection: Connection) -> None:
    """Version 2: the token store's table joins the schema (it may exist from ``create_table``)."""
    oauth_tokens.create(connection, checkfirst=True)


def add_procore_budget_views(connection: Connection) -> None:
    """Version 3: budget views are staged, so their detail rows are read without listing views each run."""
    staging_table("procore", "budget_views").create(connection, checkfirst=True)


def add_job_costs(connection: Connection) -> None:
    """Version 4: the nightly job-cost figures (money coming back from Xero)."""
    job_costs.create(connection, checkfirst=True)


def add_write_leases(connection: Connection) -> None:
    """Version 5: leases that serialise each Xero tenant's writes of one object type across workers."""
    write_leases.create(connection, checkfirst=True)


def add_api_calls(connection: Connection) -> None:
    """Version 6: the call log and learnt limits that share each API's rate limits across processes."""
    api_calls.create(connection, checkfirst=True)
    api_limits.create(connection, checkfirst=True)


def add_feed_deliveries(connection: Connection) -> None:
    """The webhook deliveries the intake accepted, waiting for the change-driven extract."""
    feed_deliveries.create(connection, checkfirst=True)


def add_extract_progress(connection: Connection) -> None:
    """The reads an unfinished extract already did, so a retry of its run skips them."""
    extract_progress.create(connection, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (
    create_baseline,
    add_oauth_tokens,
    add_procore_budget_views,
    add_job_costs,
    add_write_leases,
    add_api_calls,
    add_feed_deliveries,
    add_extract_progress,
)


def operations(connection: Connection) -> Operations:
    """alembic's ALTER helpers bound to ``connection``, for migrations after version 1."""
    return Operations(MigrationContext.configure(connection))


def schema_version_of(connection: Connection) -> int:
    """The database's stamped version; 0 for an empty database."""
    if not inspect(connection).has_table(schema_version.name):
        return 0
    return connection.execute(select(func.max(schema_version.c.version))).scalar() or 0


def ensure_schema(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to ``len(migrations)`` in one transaction; returns that version.

    Concurrent callers queue on a PostgreSQL advisory lock or SQLite's BEGIN IMMEDIATE write lock (the
    engine starts every SQLite transaction that way), then re-read the version, so each migration runs once.
    """
    latest = len(migrations)
    with engine.connect() as connection:
        if schema_version_of(connection) == latest:
            return latest
    with transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_ADVISORY_LOCK_KEY}
            )
        version = schema_version_of(connection)
        if version > latest:
            raise SchemaVersionError(
                f"staging database is at schema version {version}; this code knows {latest}"
            )
        if version == 0:
            migrations[0](connection)
            _stamp(connection, latest)
            return latest
        for number in range(version + 1, latest + 1):
            migrations[number - 1](connection)
            _stamp(connection, number)
    return latest


def _stamp(connection: Connection, version: int) -> None:
    connection.execute(insert(schema_version).values(version=version, applied_at=utc_now()))
