"""Both extract DAGs run with ``dag.test()`` against the sandbox; staging ends up holding the seed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import sync_runs
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
from tools.dag_results import asset_events
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


def task_instances(run: Any) -> list[tuple[str, int]]:
    return sorted((ti.task_id, ti.map_index) for ti in run.get_task_instances())


def test_both_extract_dags_stage_the_seed(sandbox: SandboxProcess, airflow_env: str) -> None:
    """Procore runs for one project (the ``project_id`` Param) to keep the test short; the extract tests
    cover every project. Each DAG is one task per tenant plus its outcome, and says so in one event."""
    procore_state = sandbox.admin("procore", "GET", "state")
    project_id = procore_state["projects"][3]["id"]
    when = sandbox_now(sandbox)
    procore_run = load_dag("procore_extract").test(logical_date=when, run_conf={"project_id": project_id})
    xero_run = load_dag("xero_extract").test(logical_date=when)
    assert (procore_run.state, xero_run.state) == ("success", "success")
    assert task_instances(procore_run) == task_instances(xero_run) == [("extract", 0), ("outcome", -1)]

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
            select(func.count()).where(sync_runs.c.task_id.like("extract.requisitions@%"))
        ).scalar_one()
        reads = connection.execute(select(func.count()).select_from(sync_runs)).scalar_one()
    assert statuses == {"success"}
    assert mapped == 1
    assert reads == len(PROCORE_SPECS) + len(XERO_SPECS)
    events = dict(asset_events(procore_run.run_id) + asset_events(xero_run.run_id))
    assert len(events) == 2 and set(events) == {"pxsync://extracted/procore", "pxsync://extracted/xero"}
    procore_event = events["pxsync://extracted/procore"]
    assert (procore_event["tenant"], procore_event["status"], procore_event["projects"]) == (
        "default",
        "success",
        1,
    )
    assert procore_event["reads"] == len(PROCORE_SPECS)
    assert procore_event["records_read"] == sum(
        staged_counts(airflow_env, "procore", list(PROCORE_SPECS)).values()
    )
    procore_calls = sandbox.admin("procore", "GET", "stats")["calls"]
    assert procore_event["api_calls"] == sum(procore_calls.values()) - procore_calls["POST /oauth/token"]
    assert events["pxsync://extracted/xero"]["status"] == "success"
    # Every task builds its own client, but a run asks each service for one token: the tasks share it.
    assert sandbox.admin("procore", "GET", "stats")["calls"]["POST /oauth/token"] == 1
    assert sandbox.admin("xero", "GET", "stats")["calls"]["POST /connect/token"] == 1


def test_a_replay_rereads_its_range_in_one_run(sandbox: SandboxProcess, airflow_env: str) -> None:
    """``from`` / ``to`` on a manual run: one run reads exactly the records changed in the range (here the
    later half of a project's subcontractor invoices), and says so in its one event."""
    procore_state = sandbox.admin("procore", "GET", "state")
    project_id = procore_state["projects"][3]["id"]
    when = sandbox_now(sandbox)
    assert (
        load_dag("procore_extract").test(logical_date=when, run_conf={"project_id": project_id}).state
        == "success"
    )

    project_of = project_of_records(procore_state)
    changed = sorted(
        r["updated_at"] for r in procore_state["requisitions"] if project_of("requisitions", r) == project_id
    )
    start, end = changed[len(changed) // 2], when.isoformat()
    replay = load_dag("procore_extract").test(
        logical_date=when + timedelta(minutes=1),
        run_conf={"project_id": project_id, "from": start, "to": end},
    )
    assert replay.state == "success"
    engine = create_staging_engine(airflow_env)
    with engine.connect() as connection:
        reread = connection.execute(
            select(sync_runs.c.records_read).where(
                sync_runs.c.run_id == replay.run_id,
                sync_runs.c.task_id == f"extract.requisitions@{project_id}",
            )
        ).scalar_one()
    assert reread == len([moment for moment in changed if moment >= start]) < len(changed)
    ((uri, event),) = asset_events(replay.run_id)
    assert (uri, event["status"], event["projects"]) == ("pxsync://extracted/procore", "success", 1)


def test_a_half_given_replay_range_is_refused(sandbox: SandboxProcess, airflow_env: str) -> None:
    """``from`` without ``to``: the tenant's task fails before any call, so no event starts a sync."""
    run = load_dag("xero_extract").test(
        logical_date=sandbox_now(sandbox), run_conf={"from": "2026-01-01T00:00:00Z"}
    )
    assert run.state == "failed"
    assert asset_events(run.run_id) == []
    assert not [call for call in sandbox.admin("xero", "GET", "stats")["calls"] if "/api.xro/" in call]
