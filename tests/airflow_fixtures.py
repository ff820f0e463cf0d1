"""What the DAG-running tests share (tests/dags, tests/security): an initialised Airflow metadata database
and the DAGs' environment. Imported by tests/conftest.py, so one session resets the database once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from procore_xero.tenants import APPROVERS_ENV
from sandbox.process import SandboxProcess
from tests.staging_fixtures import copy_staged_demo
from tools.approvals import TEST_RESPONDER
from tools.extract_env import extract_env, init_airflow_db, patched_environ, raise_limits


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """An initialised metadata database in the test AIRFLOW_HOME (SQLite)."""
    init_airflow_db()


@pytest.fixture
def airflow_env(sandbox: SandboxProcess, tmp_path: Path, airflow_db: None) -> Iterator[str]:
    """Connections to the sandbox, a fresh SQLite staging database (its URL is yielded), limits raised."""
    with dag_environment(sandbox, f"sqlite:///{tmp_path / 'staging.db'}", tmp_path) as url:
        yield url


@pytest.fixture
def synced_env(sandbox: SandboxProcess, staged_demo: Path, tmp_path: Path, airflow_db: None) -> Iterator[str]:
    """Connections to the sandbox and a private copy of the staged demo seed (its URL is yielded)."""
    with dag_environment(sandbox, copy_staged_demo(staged_demo, tmp_path), tmp_path) as url:
        yield url


def dag_env(sandbox: SandboxProcess, staging_url: str, tmp_path: Path) -> dict[str, str]:
    """The variables a DAG run reads: connections to the sandbox, the staging database, a private data dir
    (also what the runtime lock test hands to its own virtualenv's python)."""
    return {
        **extract_env(sandbox, staging_url),
        "PXSYNC_DATA_DIR": str(tmp_path / "data"),
        APPROVERS_ENV: TEST_RESPONDER,  # who answers approvals under the tests' all-admins setting
    }


@contextmanager
def dag_environment(sandbox: SandboxProcess, staging_url: str, tmp_path: Path) -> Iterator[str]:
    """``dag_env`` set for the block, sandbox limits raised."""
    with patched_environ(dag_env(sandbox, staging_url, tmp_path)):
        raise_limits(sandbox)
        yield staging_url
