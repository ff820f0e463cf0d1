"""Every staging test runs twice: on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from procore_xero.staging import create_staging_engine, ensure_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database: a fresh SQLite file, or the session's PostgreSQL with a wiped schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'staging.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_staging_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


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
