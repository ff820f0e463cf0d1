"""Shared fixtures: one real sandbox process per test session, reset before each test that asks for it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tests.airflow_fixtures import airflow_db, airflow_env, synced_env  # noqa: F401 - DAG runs
from tests.staging_fixtures import database_url, postgres_url  # noqa: F401 - staging databases for the tests

# Airflow reads its configuration at import: point it at a throwaway home and this project's DAGs.
os.environ.setdefault("AIRFLOW_HOME", str(REPO_ROOT / "out" / "airflow-test-home"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = (
    "True"  # tests answer approvals via the REST API
)
os.environ.setdefault("PXSYNC_DATA_DIR", str(REPO_ROOT / "out" / "test-data"))


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxProcess]:
    server = start_sandbox(REPO_ROOT / "out" / "test-logs" / "sandbox.log")
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: SandboxProcess) -> SandboxProcess:
    """The session's sandbox, reloaded from its seed (state, tokens, limits, clock speed 1, no faults)."""
    sandbox_server.reset()
    for service in ("procore", "xero"):
        sandbox_server.admin(service, "POST", "clock", {"speed": 1})
    return sandbox_server


@pytest.fixture(scope="session")
def staged_demo(sandbox_server: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite staging file holding the whole Procore demo seed, read once by the real extract functions.

    Tests copy it (``copy_staged_demo``) rather than extract again: 700 calls are a minute under Procore's
    spike limit. Its token rows are dropped, so a copy works with any ``PXSYNC_TOKEN_KEY``.
    """
    from sqlalchemy import delete

    from procore_xero.staging import create_staging_engine
    from procore_xero.staging.schema import oauth_tokens
    from tools.bench_extract import procore_run
    from tools.extract_env import extract_env, patched_environ, raise_limits, sandbox_now

    path = tmp_path_factory.mktemp("staged-demo") / "staging.db"
    sandbox_server.reset()
    env = extract_env(sandbox_server, f"sqlite:///{path}")
    with patched_environ(env):
        raise_limits(sandbox_server)
        procore_run(env, sandbox_now(sandbox_server), None)
    sandbox_server.reset()
    engine = create_staging_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(delete(oauth_tokens))
    engine.dispose()
    return path
