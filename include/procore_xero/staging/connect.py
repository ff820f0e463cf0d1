"""The one call tasks make: an engine on the configured staging database, schema ready."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Engine

from procore_xero.staging.engine import create_staging_engine, staging_url
from procore_xero.staging.migrations import ensure_schema


def open_staging(url: str | None = None) -> Engine:
    """The process's engine for ``url`` (default ``STAGING_DB_URL`` / the SQLite file), migrated once."""
    return _open(url or staging_url())


@cache
def _open(url: str) -> Engine:
    engine = create_staging_engine(url)
    ensure_schema(engine)
    return engine
