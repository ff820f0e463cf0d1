"""Shared fixtures: one real sandbox process per test session, reset before each test that asks for it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tests.staging_fixtures import database_url, postgres_url  # noqa: F401 - staging databases for the tests

# Airflow reads its configuration at import: point it at a throwaway home and this project's DAGs.
os.environ.setdefault("AIRFLOW_HOME", str(REPO_ROOT / "out" / "airflow-test-home"))
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(REPO_ROOT / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
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
