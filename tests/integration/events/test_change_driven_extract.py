"""From a delivery to staging: the change-driven read reads only the pair a delivery named; a delivery
lost on the way is caught by the sweep, inside its call budget."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from procore_xero.events.registration import ensure_procore_hook
from procore_xero.extract.changes import read_changes
from procore_xero.extract.feeds import FeedSettings
from procore_xero.extract.sweep import run_sweep
from procore_xero.mapping.spec import load_spec
from procore_xero.staging import TaskTry, staging_table
from procore_xero.staging.timestamps import utc_now
from sandbox.process import SandboxProcess
from tests.integration.events.conftest import PROCORE_TOKEN, Intake
from tests.integration.sandbox.procore_api import V10, ProcoreApi
from tests.staging_fixtures import copy_staged_demo
from tools.extract_env import sandbox_now

RUN = TaskTry("procore_extract", "feeds-test", "changes")


@pytest.fixture
def intake_db(staged_demo: Path, tmp_path: Path) -> str:
    return copy_staged_demo(staged_demo, tmp_path)


def staged_name(intake: Intake, object_type: str, record_id: int) -> str:
    table = staging_table("procore", object_type)
    with intake.engine.connect() as connection:
        return connection.execute(select(table.c.raw).where(table.c.id == record_id)).scalar_one()["name"]


def rename(api: ProcoreApi, path: str, wrapper: str, record: dict[str, Any], name: str) -> None:
    body = {"company_id": api.company_id, wrapper: {"name": name}}
    answer = api.call("PATCH", f"{V10}/{path}/{record['id']}", json=body)
    assert answer.status_code == 200, answer.text


def test_changes_are_read_and_a_lost_delivery_is_swept(
    sandbox: SandboxProcess, intake: Intake, make_procore: Any
) -> None:
    feeds = FeedSettings.from_feeds(load_spec().settings.feeds)
    client = make_procore()
    ensure_procore_hook(client, f"{intake.url}/procore", PROCORE_TOKEN, feeds.triggers())
    sandbox.admin("procore", "POST", "faults", {"kind": "drop", "path": "/webhooks/deliver/Company Vendors"})
    api = ProcoreApi(sandbox)
    state = api.state()
    vendor, project = state["vendors"][0], state["projects"][0]
    rename(api, "vendors", "vendor", vendor, "Lost In Transit Ltd")
    rename(api, "projects", "project", project, "Delivered Tower")
    sandbox.admin("procore", "POST", "webhooks/deliver")
    rows = intake.wait_for_rows(1)
    assert [(r["resource_name"], r["resource_id"]) for r in rows] == [("Projects", str(project["id"]))]

    calls_before = client.api.calls.total
    changed = read_changes(client, intake.engine, feeds, task_try=RUN, window_end=sandbox_now(sandbox))
    assert changed == {"deliveries": 1, "reads": 1, "ignored": 0, "api_calls": 1}
    assert client.api.calls.total - calls_before == 1
    assert staged_name(intake, "projects", project["id"]) == "Delivered Tower"
    assert staged_name(intake, "vendors", vendor["id"]) == vendor["name"]  # its delivery was lost
    again = read_changes(client, intake.engine, feeds, task_try=RUN, window_end=sandbox_now(sandbox))
    assert (again["deliveries"], again["api_calls"]) == (0, 0)  # consumed: a quiet hour costs nothing

    a_week_on = utc_now() + timedelta(hours=feeds.default_every_hours + 1)
    budget = 60
    sweep = FeedSettings(feeds.resources, budget, {"vendors": 1.0}, feeds.default_every_hours)
    swept = run_sweep(
        client, intake.engine, sweep, task_try=RUN, window_end=sandbox_now(sandbox), now=a_week_on
    )
    assert swept["api_calls"] <= budget + 2 and swept["read"] >= 1, swept
    assert swept["planned"] == budget
    assert staged_name(intake, "vendors", vendor["id"]) == "Lost In Transit Ltd"


def test_a_deleted_direct_cost_is_staged_deleted(
    sandbox: SandboxProcess, intake: Intake, make_procore: Any
) -> None:
    """Direct cost lists publish no filters[include_deleted]: only the delete event can tell staging."""
    feeds = FeedSettings.from_feeds(load_spec().settings.feeds)
    client = make_procore()
    ensure_procore_hook(client, f"{intake.url}/procore", PROCORE_TOKEN, feeds.triggers())
    api = ProcoreApi(sandbox)
    cost = next(
        c for c in api.state()["direct_costs"] if c.get("origin_id") is None and not c.get("deleted_at")
    )
    project_id = cost["project_id"]
    answer = api.call("DELETE", f"{V10}/projects/{project_id}/direct_costs/{cost['id']}")
    assert answer.status_code == 204, answer.text
    sandbox.admin("procore", "POST", "webhooks/deliver")
    rows = intake.wait_for_rows(1)
    assert [(r["resource_name"], r["event_type"], r["project_id"]) for r in rows] == [
        ("Direct Costs", "delete", project_id)
    ]
    changed = read_changes(client, intake.engine, feeds, task_try=RUN, window_end=sandbox_now(sandbox))
    assert (changed["reads"], changed["api_calls"]) == (1, 1)
    table = staging_table("procore", "direct_costs")
    with intake.engine.connect() as connection:
        row = connection.execute(select(table.c.deleted, table.c.raw).where(table.c.id == cost["id"])).one()
    assert row.deleted is True
    assert row.raw["deleted_at"] == rows[0]["occurred_at"].strftime("%Y-%m-%dT%H:%M:%SZ")
