"""Both extract DAGs run with ``dag.test()`` against the sandbox; staging ends up holding the seed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.staging import create_staging_engine, staging_table
from procore_xero.staging.schema import sync_runs
from sandbox.process import SandboxProcess
from tools.sandbox_connections import connection_env

STATE_COLLECTION = {
    "budget_view_detail_rows": "budget_line_items",
    "commitment_line_items": "commitment_line_items",
}


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """An initialised metadata database in the test AIRFLOW_HOME (SQLite)."""
    from airflow.utils.db import resetdb

    resetdb(skip_init=False)


@pytest.fixture
def airflow_env(sandbox: SandboxProcess, tmp_path: Path, airflow_db: None) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    env = {
        **connection_env(sandbox),
        "STAGING_DB_URL": url,
        "PXSYNC_TOKEN_KEY": Fernet.generate_key().decode(),
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    # Throttling is the clients tests' subject; here the spike window would only add a minute of waiting.
    sandbox.admin("procore", "POST", "limits", {"spike": 100_000, "hourly": 100_000})
    yield url
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def load_dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(Path(__file__).parents[2] / "dags" / f"{dag_id}.py"), safe_mode=False).dags[
        dag_id
    ]


def sandbox_now(sandbox: SandboxProcess) -> datetime:
    return datetime.fromisoformat(sandbox.admin("procore", "GET", "clock")["now"].replace("Z", "+00:00"))


def counts(url: str, system: str, names: list[str]) -> dict[str, int]:
    engine = create_staging_engine(url)
    with engine.connect() as connection:
        return {
            name: connection.execute(
                select(func.count()).select_from(staging_table(system, name))
            ).scalar_one()
            for name in names
        }


def seeded(records: list[dict], project_id: int, project_scoped: bool) -> int:
    return sum(1 for r in records if not project_scoped or r.get("project_id") == project_id)


def test_both_extract_dags_stage_the_seed(sandbox: SandboxProcess, airflow_env: str) -> None:
    """Procore runs for one project (the ``project_id`` Param): 25 mapped projects would cost a minute of
    task start-ups in ``dag.test()``; the extract tests cover every project."""
    procore_state = sandbox.admin("procore", "GET", "state")
    project_id = procore_state["projects"][3]["id"]
    when = sandbox_now(sandbox)
    procore_run = load_dag("procore_extract").test(logical_date=when, run_conf={"project_id": project_id})
    xero_run = load_dag("xero_extract").test(logical_date=when)
    assert (procore_run.state, xero_run.state) == ("success", "success")

    assert counts(airflow_env, "procore", list(PROCORE_SPECS)) == {
        name: seeded(procore_state[STATE_COLLECTION.get(name, name)], project_id, spec.project_scoped)
        for name, spec in PROCORE_SPECS.items()
    }
    xero_state = next(iter(sandbox.admin("xero", "GET", "state")["tenants"].values()))
    assert counts(airflow_env, "xero", list(XERO_SPECS)) == {
        name: len(xero_state[spec.endpoint]) for name, spec in XERO_SPECS.items()
    }
    engine = create_staging_engine(airflow_env)
    with engine.connect() as connection:
        statuses = set(connection.execute(select(sync_runs.c.status)).scalars())
        mapped = connection.execute(
            select(func.count()).where(sync_runs.c.task_id == "requisitions")
        ).scalar_one()
    assert statuses == {"success"}
    assert mapped == 1
