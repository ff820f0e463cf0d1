"""Every staging test runs twice: on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from procore_xero.staging import create_staging_engine, ensure_schema


@pytest.fixture
def blank_engine(database_url: str) -> Iterator[Engine]:
    engine = create_staging_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def staging_engine(blank_engine: Engine) -> Engine:
    """An engine on a database with the full staging schema."""
    ensure_schema(blank_engine)
    return blank_engine
