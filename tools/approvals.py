"""Answering a sync DAG's Human-in-the-loop task as the controller would, for in-process runs.

``dag.test()`` keeps a run alive while a task awaits input; a person answers on the Required Actions page,
which calls Airflow's REST API. Here a background thread waits for the task to park and sends the answer
through that same API (Airflow's own FastAPI app, in-process, on the same metadata database). Under the
all-admins setting the tests use, Airflow records the responder as ``Anonymous``: the DAG tests' approvers.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

APPROVAL_TASK_ID = "tenant.controller_approval"  # in the task group mapped over the tenants
TEST_RESPONDER = "Anonymous"  # who answers under [core] simple_auth_manager_all_admins


def awaiting_input(dag_id: str, task_id: str) -> list[tuple[str, int]]:
    """(run id, map index) of each task instance parked for input (one per tenant with held records)."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.run_id, TaskInstance.map_index).where(
                TaskInstance.dag_id == dag_id,
                TaskInstance.task_id == task_id,
                TaskInstance.state == TaskInstanceState.AWAITING_INPUT,
            )
        ).all()
    return [(row.run_id, row.map_index) for row in rows]


def chosen_options(offered: list[str], decisions: dict[str, Any]) -> list[str]:
    """The options a controller ticks for ``{"approve": [exception ids], "reject": [...]}`` (the ids the
    options name), or the default "decide later" when the answer decides nothing."""
    from procore_xero.airflow.approval_page import APPROVE, LEAVE_PENDING, REJECT

    chosen = [
        next((o for o in offered if o.startswith(f"{verb} #{exception_id}: ")), f"{verb} #{exception_id}: ?")
        for verb, key in ((APPROVE, "approve"), (REJECT, "reject"))
        for exception_id in decisions.get(key) or []
    ]
    return chosen or [LEAVE_PENDING]


def respond(
    dag_id: str, run_id: str, task_id: str, map_index: int, decisions: dict[str, Any]
) -> dict[str, Any]:
    """Tick the options the Required Actions page offers for ``decisions`` and submit them, as the page
    does through the REST API (needs the all-admins auth setting: the responder is "Anonymous")."""
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    url = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails"
    with TestClient(create_app("core")) as api:
        offered = api.get(url)
        offered.raise_for_status()
        chosen = chosen_options(offered.json()["options"], decisions)
        answer = api.patch(url, json={"chosen_options": chosen, "params_input": {}})
    answer.raise_for_status()
    return answer.json()


@contextmanager
def controller_answers(
    params_input: dict[str, Any] | Callable[[int], dict[str, Any]],
    dag_id: str = "procore_to_xero",
    task_id: str = APPROVAL_TASK_ID,
    send: Callable[[str, str, str, int, dict[str, Any]], dict[str, Any]] = respond,
) -> Iterator[list[dict[str, Any]]]:
    """While the block runs the DAG, answer each tenant's approval task once with ``params_input`` (e.g.
    ``{"approve": [3], "reject": []}``: exception ids, ticked as the options naming them; or a function of
    the map index giving it when the task asks: the ids exist only then); the answers sent are collected in
    the yielded list. ``send``: how the answer goes in (the security tests forge one)."""
    sent: list[dict[str, Any]] = []
    answered: set[tuple[str, int]] = set()
    done = threading.Event()

    def answer() -> None:
        while not done.is_set():
            for run_id, map_index in awaiting_input(dag_id, task_id):
                if (run_id, map_index) not in answered:
                    answered.add((run_id, map_index))
                    try:
                        answer_now = params_input(map_index) if callable(params_input) else params_input
                        sent.append(send(dag_id, run_id, task_id, map_index, answer_now))
                    except Exception:  # the run would wait for the answer until its timeout: say why
                        traceback.print_exc()
                        raise
            time.sleep(0.5)

    worker = threading.Thread(target=answer, daemon=True)
    worker.start()
    try:
        yield sent
    finally:
        done.set()
        worker.join(timeout=10)
