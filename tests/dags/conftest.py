"""What the DAG tests share: an initialised Airflow metadata database and the DAGs' environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.process import SandboxProcess
from tools.extract_env import extract_env, init_airflow_db, patched_environ, raise_limits


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """An initialised metadata database in the test AIRFLOW_HOME (SQLite)."""
    init_airflow_db()


@pytest.fixture
def airflow_env(sandbox: SandboxProcess, tmp_path: Path, airflow_db: None) -> Iterator[str]:
    """Connections to the sandbox, a fresh SQLite staging database (its URL is yielded), limits raised."""
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    with patched_environ({**extract_env(sandbox, url), "PXSYNC_DATA_DIR": str(tmp_path / "data")}):
        raise_limits(sandbox)
        yield url
