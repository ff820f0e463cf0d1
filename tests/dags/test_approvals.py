"""The controller's side of ``procore_to_xero``: held records, the e-mail with the link, approve / reject.

The approval task is answered through Airflow's REST API (as the Required Actions page does); the mail
goes through a real SMTP server on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from procore_xero.staging import Crosswalk, TenantKey, all_links, create_staging_engine, list_open
from procore_xero.staging.schema import exceptions
from procore_xero.sync.order import STEP_ORDER
from procore_xero.tenants import APPROVERS_ENV
from sandbox.process import REPO_ROOT, SandboxProcess, free_port
from tests.procore_state import project_currency
from tools.approvals import controller_answers
from tools.dag_results import step_results
from tools.extract_env import load_dag, patched_environ, sandbox_now

CONTROLLER = "controller@example.com"
OVER_BUDGET = "po_above_remaining_budget"


class Mailbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.original_content, policy=policy.default))
        )
        return "250 OK"


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    """A real SMTP server on loopback as ``smtp_default``, and settings that name the controller."""
    box, port = Mailbox(), free_port()
    server = Controller(box, hostname="127.0.0.1", port=port)
    server.start()
    settings = yaml.safe_load((REPO_ROOT / "include" / "mappings" / "settings.yaml").read_text())
    settings["settings"]["controller_emails"] = [CONTROLLER]
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(yaml.safe_dump(settings))
    smtp = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True},
    }
    with patched_environ(
        {"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(smtp), "PXSYNC_SETTINGS": str(settings_file)}
    ):
        yield box
    server.stop()


def tenant_of(sandbox: SandboxProcess) -> TenantKey:
    company_id = sandbox.admin("procore", "GET", "credentials")["company_id"]
    return TenantKey(company_id, sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0])


def po_links(engine: Engine, tenant: TenantKey) -> dict[str, str]:
    """Procore commitment id -> Xero PurchaseOrderID, both commitment kinds."""
    kinds = ("work_order_contracts", "purchase_order_contracts")
    return {
        source: target
        for kind in kinds
        for source, target in all_links(
            engine, tenant, Crosswalk("procore", kind, "xero", "PurchaseOrders")
        ).items()
    }


def status_of(engine: Engine, exception_id: int) -> str:
    with engine.connect() as connection:
        return connection.execute(
            select(exceptions.c.status).where(exceptions.c.id == exception_id)
        ).scalar_one()


def test_approved_po_is_posted_rejected_stays_out_and_the_controller_is_told(
    sandbox: SandboxProcess, synced_env: str, mailbox: Mailbox
) -> None:
    engine, tenant = create_staging_engine(synced_env), tenant_of(sandbox)
    decided: dict[str, Any] = {}

    def controller(map_index: int) -> dict[str, list[int]]:
        """Approve the first over-budget PO, reject the second (ids exist once the run holds them)."""
        waiting = sorted(
            (e for e in list_open(engine) if e.problem.reason_code == OVER_BUDGET), key=lambda e: e.id
        )
        decided["approved"], decided["rejected"] = waiting[0], waiting[1]
        decided["waiting"] = waiting
        return {"approve": [waiting[0].id], "reject": [waiting[1].id]}

    with controller_answers(controller) as answers:
        run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox))
    assert run.state == "success" and len(answers) == 1
    approved, rejected = decided["approved"], decided["rejected"]

    # The approved PO is in Xero now, once; the rejected one is not; the queue says so.
    links = po_links(engine, tenant)
    assert approved.problem.source_id in links and rejected.problem.source_id not in links
    tenant_state = sandbox.admin("xero", "GET", "state")["tenants"][tenant.tenant_id]
    posted = [
        p for p in tenant_state["PurchaseOrders"] if p["PurchaseOrderID"] == links[approved.problem.source_id]
    ]
    assert len(posted) == 1 and posted[0]["Total"] == float(approved.details["values"]["total"])
    assert (status_of(engine, approved.id), status_of(engine, rejected.id)) == ("resolved", "rejected")

    # The controller got one mail listing every held PO, with the link to the Required Actions page.
    ((recipients, mail),) = mailbox.messages
    assert recipients == [CONTROLLER]
    assert mail["Subject"] == "Procore → Xero: records wait for your approval"
    body = "".join(
        part.get_payload(decode=True).decode()
        for part in mail.walk()
        if part.get_content_type() == "text/html"
    )
    link = f"/dags/procore_to_xero/runs/{run.run_id}/tasks/tenant.controller_approval/required_actions"
    assert f"{link}?map_index=0" in body
    assert all(str(e.id) in body for e in decided["waiting"])

    # Next run, nobody answers: the rejected PO stays rejected (not re-queued) and out of Xero.
    pos_before = len(tenant_state["PurchaseOrders"])
    with controller_answers({"approve": [], "reject": []}):
        assert load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox)).state == "success"
    still_open = {(e.problem.source_id, e.problem.reason_code) for e in list_open(engine)}
    assert (rejected.problem.source_id, OVER_BUDGET) not in still_open
    assert (approved.problem.source_id, OVER_BUDGET) not in still_open  # posted: not held again
    assert rejected.problem.source_id not in po_links(engine, tenant)
    assert (
        len(sandbox.admin("xero", "GET", "state")["tenants"][tenant.tenant_id]["PurchaseOrders"])
        == pos_before
    )


def test_dry_run_writes_nothing_anywhere(sandbox: SandboxProcess, synced_env: str) -> None:
    before = sandbox.admin("xero", "GET", "state")
    sandbox.admin("xero", "DELETE", "stats")
    run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox), run_conf={"dry_run": True})
    assert run.state == "success"
    calls = sandbox.admin("xero", "GET", "stats")["calls"]
    assert [c for c in calls if c.split(" ")[0] in ("PUT", "POST") and c != "POST /connect/token"] == []
    assert sandbox.admin("xero", "GET", "state") == before
    assert list_open(create_staging_engine(synced_env)) == []
    # What it would do, per object, as the real run then does it (see test_procore_to_xero).
    results = step_results("procore_to_xero", run.run_id)
    would = {step: results[step]["load"]["counts"] for step in STEP_ORDER}
    contacts, duplicates = would["contacts"]["Contacts"], results["contacts"]["held"]  # same company name
    assert contacts["created"] + contacts["matched_existing"] + contacts["held"] + duplicates == 281
    assert (
        would["bills"]["Invoices"]["created"] > 1000
        and would["purchase_orders"]["PurchaseOrders"]["created"] > 200
    )


def test_project_number_sends_one_projects_documents(sandbox: SandboxProcess, synced_env: str) -> None:
    """A manual run for the CAD job: reference data goes whole, documents only of that project."""
    procore = sandbox.admin("procore", "GET", "state")
    project = next(p for p in procore["projects"] if project_currency(procore, p) == "CAD")
    conf = {"dry_run": True, "project_number": project["project_number"]}
    run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox), run_conf=conf)
    assert run.state == "success"
    results = step_results("procore_to_xero", run.run_id)
    approved = [r for r in procore["requisitions"] if r["status"] == "approved"]
    own = [r for r in approved if r["project_id"] == project["id"]]
    assert 0 < results["bills"]["rows"] == len(own) < len(approved)
    assert results["contacts"]["rows"] == sum(1 for v in procore["vendors"] if v["is_active"])


def first_over_budget(engine: Engine, held: dict[str, Any]) -> Any:
    """An answer approving the first over-budget PO (recorded in ``held``), for ``controller_answers``."""

    def decisions(map_index: int) -> dict[str, list[int]]:
        waiting = sorted(
            (e for e in list_open(engine) if e.problem.reason_code == OVER_BUDGET), key=lambda e: e.id
        )
        held["exception"] = waiting[0]
        return {"approve": [waiting[0].id], "reject": []}

    return decisions


def task_states(run_id: str) -> dict[str, str]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.execute(
            select(TaskInstance.task_id, TaskInstance.state).where(
                TaskInstance.dag_id == "procore_to_xero", TaskInstance.run_id == run_id
            )
        ).all()
    return {row.task_id: str(row.state) for row in rows}


def assert_nothing_posted(sandbox: SandboxProcess, engine: Engine, tenant: TenantKey, held: Any) -> None:
    """The held PO is not in Xero (no link, no PO of its number) and its exception is still open."""
    assert held.problem.source_id not in po_links(engine, tenant)
    numbers = {
        po["PurchaseOrderNumber"]
        for po in sandbox.admin("xero", "GET", "state")["tenants"][tenant.tenant_id]["PurchaseOrders"]
    }
    assert held.source_label.split(" ")[1] not in numbers
    assert status_of(engine, held.id) == "open"


def test_a_forged_answer_posts_nothing(sandbox: SandboxProcess, synced_env: str) -> None:
    """Someone with XCom and task-state rights writes the approval's result (approve + a made-up
    approver) and marks the waiting task successful: ``apply_approvals`` fails and nothing is posted."""
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    engine, tenant = create_staging_engine(synced_env), tenant_of(sandbox)
    held: dict[str, Any] = {}

    def forge(dag_id: str, run_id: str, task_id: str, map_index: int, decided: dict[str, Any]) -> Any:
        forged = {**decided, "decided_by": "cfo@summit.example"}
        base = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        with TestClient(create_app("core")) as api:
            written = api.post(
                f"{base}/xcomEntries", json={"key": "return_value", "value": forged, "map_index": map_index}
            )
            assert written.status_code == 201, written.text
            marked = api.patch(f"{base}/{map_index}", json={"new_state": "success"})
            assert marked.status_code == 200, marked.text
        return forged

    with controller_answers(first_over_budget(engine, held), send=forge) as sent:
        run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox))
    assert len(sent) == 1 and run.state == "failed"
    states = task_states(run.run_id)
    assert (states["tenant.controller_approval"], states["tenant.apply_approvals"]) == ("success", "failed")
    assert_nothing_posted(sandbox, engine, tenant, held["exception"])


def test_an_answer_from_a_non_approver_posts_nothing(sandbox: SandboxProcess, synced_env: str) -> None:
    """The tests answer as Airflow's all-admins user ("Anonymous"), whom Airflow lets through; the tenant's
    approvers name only the CFO, so the approval task refuses the answer Airflow recorded."""
    engine, tenant = create_staging_engine(synced_env), tenant_of(sandbox)
    held: dict[str, Any] = {}
    with patched_environ({APPROVERS_ENV: "cfo"}), controller_answers(first_over_budget(engine, held)) as sent:
        run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox))
    assert sent[0]["responded_by"]["id"] == "Anonymous" and run.state == "failed"
    states = task_states(run.run_id)
    assert (states["tenant.controller_approval"], states["tenant.apply_approvals"]) == (
        "failed",
        "upstream_failed",
    )
    assert_nothing_posted(sandbox, engine, tenant, held["exception"])
