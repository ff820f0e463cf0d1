"""Session fixture: a real PostgreSQL server for the staging tests (see tests/postgres.py)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from procore_xero.staging import create_staging_engine
from tests.postgres import INSTALL_HINT, find_postgres_bin, start_postgres


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database; without PostgreSQL: fail, or skip if PXSYNC_SKIP_POSTGRES=1."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        if os.environ.get("PXSYNC_SKIP_POSTGRES") == "1":
            pytest.skip("PostgreSQL not installed and PXSYNC_SKIP_POSTGRES=1")
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = start_postgres(bin_dir)
    yield server.url
    server.stop()


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


def copy_staged_demo(staged_demo: Path, directory: Path) -> str:
    """A private copy of the staged demo seed; returns its SQLAlchemy URL.

    Through SQLite's backup API, not a file copy: pages still in the write-ahead log (a connection of the
    extract may hold it open) are part of the database but not yet of its file."""
    target = directory / "staging.db"
    with closing(sqlite3.connect(staged_demo)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
    return f"sqlite:///{target}"
