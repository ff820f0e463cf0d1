"""Both extract DAGs run with ``dag.test()`` against the sandbox; staging ends up holding the seed."""

from __future__ import annotations

from sqlalchemy import func, select

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import sync_runs
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
from tools.extract_env import (
    load_dag,
    sandbox_now,
    staged_counts,
)

STATE_COLLECTION = {
    "budget_view_detail_rows": "budget_line_items",
    "commitment_line_items": "commitment_line_items",
}


def seeded(state: dict, collection: str, project_id: int, project_scoped: bool) -> int:
    project_of = project_of_records(state)
    return sum(1 for r in state[collection] if not project_scoped or project_of(collection, r) == project_id)


def test_both_extract_dags_stage_the_seed(sandbox: SandboxProcess, airflow_env: str) -> None:
    """Procore runs for one project (the ``project_id`` Param): 25 mapped projects would cost a minute of
    task start-ups in ``dag.test()``; the extract tests cover every project."""
    procore_state = sandbox.admin("procore", "GET", "state")
    project_id = procore_state["projects"][3]["id"]
    when = sandbox_now(sandbox)
    procore_run = load_dag("procore_extract").test(logical_date=when, run_conf={"project_id": project_id})
    xero_run = load_dag("xero_extract").test(logical_date=when)
    assert (procore_run.state, xero_run.state) == ("success", "success")

    assert staged_counts(airflow_env, "procore", list(PROCORE_SPECS)) == {
        name: seeded(procore_state, STATE_COLLECTION.get(name, name), project_id, spec.project_scoped)
        for name, spec in PROCORE_SPECS.items()
    }
    xero_state = next(iter(sandbox.admin("xero", "GET", "state")["tenants"].values()))
    assert staged_counts(airflow_env, "xero", list(XERO_SPECS)) == {
        name: len(xero_state[spec.endpoint]) for name, spec in XERO_SPECS.items()
    }
    engine = create_staging_engine(airflow_env)
    with engine.connect() as connection:
        statuses = set(connection.execute(select(sync_runs.c.status)).scalars())
        mapped = connection.execute(
            select(func.count()).where(sync_runs.c.task_id == "project.requisitions")
        ).scalar_one()
    assert statuses == {"success"}
    assert mapped == 1
    # Every task builds its own client, but a run asks each service for one token: the tasks share it.
    assert sandbox.admin("procore", "GET", "stats")["calls"]["POST /oauth/token"] == 1
    assert sandbox.admin("xero", "GET", "stats")["calls"]["POST /connect/token"] == 1
