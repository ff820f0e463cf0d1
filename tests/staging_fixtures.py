"""Session fixture: a real PostgreSQL server for the staging tests (see tests/postgres.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

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
