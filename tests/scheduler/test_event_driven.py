"""Item 2 of issue 17 through the real scheduler and triggerer (``make airflow``'s setup): a change in
Procore reaches the intake as a webhook delivery, the Asset watcher's trigger turns it into an Asset event,
and the scheduler starts ``procore_feeds``, which stages the change; likewise a Xero invoice's signed
delivery starts ``xero_extract``, which stages that invoice's new status and total."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from procore_xero.staging import create_staging_engine, staging_table
from tests.browser.airflow_ui import FINISHED, AirflowApi
from tests.integration.events.test_xero_change_driven import a_draft_invoice, approve_with_one_more
from tests.integration.extract.conftest import staged_raw
from tests.integration.sandbox.procore_api import V10, ProcoreApi
from tests.integration.sandbox.xero_client import login
from tests.scheduler.test_real_scheduler import airflow, settle  # noqa: F401 - the module's Airflow
from tools.airflow_standalone import Standalone

pytestmark = pytest.mark.slow
DELIVERY_TIMEOUT = 600.0


def test_a_procore_delivery_starts_procore_feeds(airflow: Standalone) -> None:  # noqa: F811
    settle(airflow, "procore_extract")  # the projects the sweep walks
    settle(airflow, "procore_feeds")  # registers the hook (the unpause's scheduled run, then the manual one)
    runs = AirflowApi(airflow.config.base_url, airflow.token(), "procore_feeds")
    before = {run["dag_run_id"] for run in runs.runs()}
    procore = ProcoreApi(airflow.sandbox)
    vendor = procore.state()["vendors"][0]
    body = {"company_id": procore.company_id, "vendor": {"name": "Renamed Through A Webhook"}}
    changed_at = time.monotonic()
    assert procore.call("PATCH", f"{V10}/vendors/{vendor['id']}", json=body).status_code == 200

    new, started = new_runs_finished(runs, before, changed_at)
    finished = time.monotonic() - changed_at
    assert new, "no procore_feeds run was started by the delivery"
    assert [(run["run_type"], run["state"]) for run in new] == [("asset_triggered", "success")]
    table = staging_table("procore", "vendors")
    with create_staging_engine(airflow.config.staging).connect() as connection:
        raw = connection.execute(select(table.c.raw).where(table.c.id == vendor["id"])).scalar_one()
    assert raw["name"] == "Renamed Through A Webhook"
    print(f"change -> asset-triggered run started {started:.1f} s, staged {finished:.1f} s")


def new_runs_finished(runs: AirflowApi, before: set[str], since: float) -> tuple[list[dict], float | None]:
    """The runs not in ``before`` once all have finished (or at the timeout), and when the first started."""
    deadline, started, new = since + DELIVERY_TIMEOUT, None, []
    while time.monotonic() < deadline:
        new = [run for run in runs.runs() if run["dag_run_id"] not in before]
        if new and started is None:
            started = time.monotonic() - since
        if new and all(run["state"] in FINISHED for run in new):
            break
        time.sleep(2)
    return new, started


def test_a_xero_delivery_starts_xero_extract(airflow: Standalone) -> None:  # noqa: F811
    settle(airflow, "xero_extract")  # everything staged once (and the DAG unpaused)
    runs = AirflowApi(airflow.config.base_url, airflow.token(), "xero_extract")
    before = {run["dag_run_id"] for run in runs.runs()}
    session = login(airflow.sandbox)
    changed_at = time.monotonic()
    invoice = approve_with_one_more(session, a_draft_invoice(session))

    new, started = new_runs_finished(runs, before, changed_at)
    assert new, "no xero_extract run was started by the delivery"
    assert {(run["run_type"], run["state"]) for run in new} == {("asset_triggered", "success")}
    engine = create_staging_engine(airflow.config.staging)
    staged = staged_raw(engine, "xero", "invoices", invoice["InvoiceID"])
    assert (staged["Status"], Decimal(str(staged["Total"]))) == ("AUTHORISED", Decimal(str(invoice["Total"])))
    finished = time.monotonic() - changed_at
    print(f"Xero change -> asset-triggered run started {started:.1f} s, staged {finished:.1f} s")
