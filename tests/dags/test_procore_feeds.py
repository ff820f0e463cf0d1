"""``procore_feeds`` through ``dag.test()``: it registers the hook, reads what a stored delivery named, and
the sweep spends nothing when nothing is due (everything was staged moments ago)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from procore_xero.events.store import Delivery, pending_deliveries, store_delivery
from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import sync_runs
from sandbox.process import SandboxProcess
from tests.integration.sandbox.procore_api import ProcoreApi
from tools.extract_env import load_dag, sandbox_now


def test_a_delivery_is_read_and_the_hook_registered(
    sandbox: SandboxProcess, synced_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PXSYNC_INTAKE_URL", "http://127.0.0.1:9/procore")
    monkeypatch.setenv("PXSYNC_PROCORE_WEBHOOK_TOKEN", "dag-test-token")
    api = ProcoreApi(sandbox)
    project = api.state()["projects"][0]
    engine = create_staging_engine(synced_env)
    event = {"ulid": "01JEVENTDAGTEST0000000000A", "resource_name": "Projects", "event_type": "update"}
    delivery = Delivery(
        "procore",
        event["ulid"],
        str(api.company_id),
        None,
        "Projects",
        str(project["id"]),
        "update",
        None,
        event,
    )
    assert store_delivery(engine, delivery)
    sandbox.admin("procore", "DELETE", "stats")

    run = load_dag("procore_feeds").test(logical_date=sandbox_now(sandbox))

    assert run.state == "success"
    calls = sandbox.admin("procore", "GET", "stats")["calls"]
    assert calls["GET /rest/v1.0/projects"] == 1  # the change read: one list, changed since the watermark
    assert calls["POST /rest/v1.0/webhooks/hooks"] == 1
    triggers = {k: n for k, n in calls.items() if k.startswith("POST ") and k.endswith("/triggers")}
    assert list(triggers.values()) == [31]
    assert pending_deliveries(engine, "procore", str(api.company_id)) == []
    with engine.connect() as connection:
        read = connection.execute(
            select(sync_runs.c.object_type).where(sync_runs.c.dag_id == "procore_feeds")
        )
        assert list(read.scalars()) == ["projects"]  # the sweep found nothing due
    hooks = api.call("GET", "/rest/v1.0/webhooks/hooks", params={"company_id": api.company_id}).json()
    assert [(h["destination_url"], h["destination_headers"]) for h in hooks] == [
        ("http://127.0.0.1:9/procore", {"Authorization": "Bearer dag-test-token"})
    ]
