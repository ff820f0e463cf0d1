"""Every DAG through the real scheduler: ``make airflow``'s setup (PostgreSQL metadata, LocalExecutor, the
triggerer, the mail catcher), triggered through the REST API as the trigger form does.

``dag.test()`` runs tasks in the test's own process and hid crashes that only the task runner shows (a
``RuntimeTaskInstance`` has no ``log``). A tenth of the demo seed keeps the runs to minutes on two cores.
Runs the scheduler adds on its own (the scheduled run an unpause creates, asset-triggered sync runs) must
succeed too: each step waits for every run of its DAG.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.scenario import run_month_end
from tests.browser.airflow_ui import FINISHED, AirflowApi
from tools.airflow_standalone import DEMO_CONTROLLER, Standalone, StandaloneConfig, running_standalone
from tools.bench_inbound import made_from_xero
from tools.extract_env import raise_limits, staged_counts
from tools.mail_folder import read_mail

pytestmark = pytest.mark.slow

SCALE = 0.1
SETTLE_TIMEOUT = 900.0  # every run of one DAG; about a minute each here at this scale
REPORT = "Procore ↔ Xero"  # the drift report's subject starts so (drift or all reconciled)
# held records stay held: the browser test approves
NO_DECISION: dict[str, list[str]] = {"approve": [], "reject": []}


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    """``make airflow`` on free ports in a throwaway home, a tenth of the demo seed, limits raised."""
    root = tmp_path_factory.mktemp("scheduler")
    config = StandaloneConfig.throwaway(root, SCALE)
    with running_standalone(config) as running:
        raise_limits(running.sandbox)  # throttling is the client tests' subject
        yield running


def settle(
    airflow: Standalone,
    dag_id: str,
    conf: dict[str, Any] | None = None,
    during: Callable[[AirflowApi, str], None] | None = None,
) -> list[dict[str, Any]]:
    """Trigger ``dag_id`` and wait until every run of it has finished, answering Required Actions with no
    decision; the runs, each asserted successful with its failing tasks' errors. ``during(api, run_id)`` is
    what happens to the manual run meanwhile (the cluster test kills a worker)."""
    api = AirflowApi(airflow.config.base_url, airflow.token(), dag_id)
    manual = api.trigger(conf)
    if during is not None:
        during(api, manual)
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        try:
            runs = api.runs()
            open_runs = [run for run in runs if run["state"] not in FINISHED]
            for run in open_runs:
                for task in api.task_states(run["dag_run_id"]):
                    if task["state"] == "awaiting_input":
                        api.answer(run["dag_run_id"], task, NO_DECISION).raise_for_status()
        except requests.Timeout:  # an API server busy with the run's tasks: a missed poll, not a failure
            continue
        if not open_runs and any(run["dag_run_id"] == manual for run in runs):
            break
        time.sleep(3)
    for run in runs:
        assert run["state"] == "success", api.report(run["dag_run_id"], airflow.config.home / "logs", None)
    return runs


def drift_mail(mail_dir: Path, day: str) -> list[EmailMessage]:
    """Drift reports for ``day`` in the mail catcher's folder."""
    return [m for m in read_mail(mail_dir) if m["Subject"].startswith(f"{REPORT} ") and day in m["Subject"]]


def set_controllers(airflow: Standalone, addresses: list[str]) -> None:
    """Edit the home's settings file as an operator would; the next task reads it."""
    document = yaml.safe_load(airflow.config.settings.read_text())
    document["settings"]["controller_emails"] = addresses
    airflow.config.settings.write_text(yaml.safe_dump(document, sort_keys=False))


def test_the_hourly_and_nightly_dags_run_in_the_real_scheduler(airflow: Standalone) -> None:
    sandbox, staging = airflow.sandbox, airflow.config.staging
    procore = sandbox.admin("procore", "GET", "state")

    settle(airflow, "procore_extract")
    assert staged_counts(staging, "procore", ["projects"]) == {"projects": len(procore["projects"])}

    settle(airflow, "procore_to_xero")
    tenants = sandbox.admin("xero", "GET", "state")["tenants"].values()
    bills = [i for t in tenants for i in t.get("Invoices", []) if i["Type"] == "ACCPAY"]
    assert bills, "procore_to_xero posted no bill"

    # The controller's side (README): month-end in Xero, then money comes back to Procore.
    record = run_month_end(sandbox.xero_url)
    assert record["payments"]["paid_in_full"]["candidates"]
    settle(airflow, "xero_extract")
    settle(airflow, "xero_to_procore")
    payments = sandbox.admin("procore", "GET", "state")["contract_payments"]
    assert [p for p in payments if made_from_xero(p)], "no Xero payment reached Procore"

    settle(airflow, "job_costs")


def test_an_open_approval_does_not_hold_the_next_run(airflow: Standalone) -> None:
    """A run waits for the controller; the next one starts beside it, posts, asks nothing (the request is
    still open) and ends; the first then takes the controller's answer."""
    api = AirflowApi(airflow.config.base_url, airflow.token(), "procore_to_xero")
    waiting = api.trigger()
    assert api.awaiting_input(waiting, SETTLE_TIMEOUT) == "awaiting_input"
    following = api.trigger()
    assert api.finished(following, SETTLE_TIMEOUT) == "success"
    states = {t["task_id"]: t["state"] for t in api.task_states(following)}
    assert states["tenant.controller_approval"] == "skipped"
    assert states["tenant.bills"] == "success"
    assert api.get(waiting)["state"] == "running"
    (task,) = [t for t in api.task_states(waiting) if t["state"] == "awaiting_input"]
    api.answer(waiting, task, NO_DECISION)
    assert api.finished(waiting, SETTLE_TIMEOUT) == "success"


def test_drift_report_is_mailed_to_the_controller(airflow: Standalone) -> None:
    day = "2026-01-15"
    settle(airflow, "drift_report", {"date": day})
    (mail,) = drift_mail(airflow.config.mail_dir, day)
    assert mail["X-Envelope-To"] == DEMO_CONTROLLER
    assert mail["To"] == DEMO_CONTROLLER
    assert mail.get_body(("html",)) is not None


def test_drift_report_without_recipients_is_kept_not_mailed(airflow: Standalone) -> None:
    day = "2026-01-16"
    set_controllers(airflow, [])
    try:
        settle(airflow, "drift_report", {"date": day})
    finally:
        set_controllers(airflow, [DEMO_CONTROLLER])
    assert drift_mail(airflow.config.mail_dir, day) == []
    (kept,) = Path(airflow.config.data_dir, "drift").glob(f"*/{day}.eml")
    assert [m["To"] for m in read_mail(kept.parent) if day in m["Subject"]] == ["undisclosed-recipients:;"]


def test_the_connections_page_tests_the_procore_and_xero_connections(airflow: Standalone) -> None:
    """The page's Test button (``POST /api/v2/connections/test``) on the stored connections, then with a
    wrong secret typed in: the API server runs our hooks' ``test_connection``; no secret comes back."""
    headers = {"Authorization": f"Bearer {airflow.token()}"}

    def test(body: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(
            f"{airflow.config.base_url}/api/v2/connections/test", json=body, headers=headers, timeout=60
        )
        answer.raise_for_status()
        return dict(answer.json())

    stored = {
        "procore": airflow.env["AIRFLOW_CONN_PROCORE_DEFAULT"],
        "xero": airflow.env["AIRFLOW_CONN_XERO_DEFAULT"],
    }
    for conn_type, document in stored.items():
        body = {"connection_id": f"{conn_type}_default", "conn_type": conn_type}
        good = test(body)
        assert good["status"] is True and good["message"].startswith(f"{conn_type.title()}: signed in;"), good
        wrong = test({**body, "password": "not-the-secret-1234"})
        assert wrong["status"] is False and "invalid_client" in wrong["message"], wrong
        secret = yaml.safe_load(document)["password"]
        assert secret not in good["message"] + wrong["message"]
