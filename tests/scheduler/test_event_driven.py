"""Item 2 of issue 17 through the real scheduler and triggerer (``make airflow``'s setup): a change in
Procore reaches the intake as a webhook delivery, the Asset watcher's trigger turns it into an Asset event,
and the scheduler starts ``procore_feeds``, which stages the change."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from procore_xero.staging import create_staging_engine, staging_table
from tests.browser.airflow_ui import FINISHED, AirflowApi
from tests.integration.sandbox.procore_api import V10, ProcoreApi
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

    deadline = changed_at + DELIVERY_TIMEOUT
    started = None
    while time.monotonic() < deadline:
        new = [run for run in runs.runs() if run["dag_run_id"] not in before]
        if new and started is None:
            started = time.monotonic() - changed_at
        if new and all(run["state"] in FINISHED for run in new):
            break
        time.sleep(2)
    finished = time.monotonic() - changed_at
    assert new, "no procore_feeds run was started by the delivery"
    assert [(run["run_type"], run["state"]) for run in new] == [("asset_triggered", "success")]
    table = staging_table("procore", "vendors")
    with create_staging_engine(airflow.config.staging).connect() as connection:
        raw = connection.execute(select(table.c.raw).where(table.c.id == vendor["id"])).scalar_one()
    assert raw["name"] == "Renamed Through A Webhook"
    print(f"change -> asset-triggered run started {started:.1f} s, staged {finished:.1f} s")
