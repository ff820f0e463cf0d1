"""Three tenants, each a Procore company + Xero organisation on its own sandbox, one throttled hard.

The DAGs fan out over the tenants file by dynamic task mapping: each tenant's tasks run with its own
connections, settings overrides, controller addresses and Xero pool, and the throttled tenant's spent daily
limit fails only its own tasks. The next day it catches up and nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet
from sqlalchemy import select

from procore_xero.staging import Crosswalk, TenantKey, all_links, create_staging_engine, list_open
from procore_xero.staging.schema import staging_table
from procore_xero.sync.order import STEP_ORDER
from procore_xero.tenants import APPROVERS_ENV
from sandbox.process import SandboxProcess, start_firm_sandbox
from tests.dags.mailbox import Mailbox, smtp_default
from tools.approvals import TEST_RESPONDER, controller_answers
from tools.dag_results import asset_events
from tools.extract_env import load_dag, patched_environ, raise_limits, sandbox_now
from tools.sandbox_connections import connection_env

pytestmark = pytest.mark.slow

SCALE = 0.1  # 4 projects, 200 subcontractor invoices per tenant
TENANTS = ("summit", "harbor", "ridge")
THROTTLED = "ridge"
DAILY_CALLS_LEFT = 3  # the throttled organisation has nearly spent its Xero day
NO_DECISION: dict[str, list[int]] = {"approve": [], "reject": []}


def controller(name: str) -> str:
    return f"controller@{name}.example"


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SandboxProcess]]:
    """One sandbox per tenant on its own seed (its own Xero organisation) and its own Procore company id."""
    folder = tmp_path_factory.mktemp("tenants")
    started: dict[str, SandboxProcess] = {}
    try:
        for number, name in enumerate(TENANTS, start=1):
            started[name] = start_firm_sandbox(folder, name, number, SCALE)
        yield started
    finally:
        for sandbox in started.values():
            sandbox.stop()


def tenants_file(path: Path) -> Path:
    """summit as configured by default; harbor sends no sales invoices (override); all mail their own."""
    entries: list[dict[str, Any]] = [
        {
            "name": name,
            "procore_conn_id": f"procore_{name}",
            "xero_conn_id": f"xero_{name}",
            "controller_emails": [controller(name)],
        }
        for name in TENANTS
    ]
    entries[1]["overrides"] = {"objects": {"sales_invoices": {"enabled": False}}}
    path.write_text(yaml.safe_dump({"tenants": entries}), encoding="utf-8")
    return path


@pytest.fixture
def tenants_env(
    sandboxes: dict[str, SandboxProcess], tmp_path: Path, airflow_db: None
) -> Iterator[tuple[str, Mailbox]]:
    for sandbox in sandboxes.values():
        sandbox.reset()
        raise_limits(sandbox)
    env = {
        "PXSYNC_TENANTS": str(tenants_file(tmp_path / "tenants.yaml")),
        "STAGING_DB_URL": f"sqlite:///{tmp_path / 'staging.db'}",
        "PXSYNC_TOKEN_KEY": Fernet.generate_key().decode(),
        "PXSYNC_DATA_DIR": str(tmp_path / "data"),
        "PXSYNC_XERO_POOL": "xero_shared",
        APPROVERS_ENV: TEST_RESPONDER,  # who answers approvals under the tests' all-admins setting
    }
    for name, sandbox in sandboxes.items():
        env |= connection_env(sandbox, name)
    with patched_environ(env), smtp_default() as mailbox:
        yield env["STAGING_DB_URL"], mailbox


def key_of(sandbox: SandboxProcess) -> TenantKey:
    tenant_id = sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0]
    return TenantKey(sandbox.admin("procore", "GET", "credentials")["company_id"], tenant_id)


def xero_invoices(sandbox: SandboxProcess) -> list[dict[str, Any]]:
    return sandbox.admin("xero", "GET", "state")["tenants"][key_of(sandbox).tenant_id]["Invoices"]


def run_all(dag_id: str, sandbox: SandboxProcess) -> Any:
    """One run of ``dag_id`` for every tenant; each approval task gets no decision."""
    with controller_answers(NO_DECISION, dag_id=dag_id):
        return load_dag(dag_id).test(logical_date=sandbox_now(sandbox))


def tenant_task(ti: Any) -> bool:
    """A task instance mapped over the tenants: an extract's ``extract``, a sync's ``tenant.<step>``."""
    return ti.map_index >= 0 and (ti.task_id == "extract" or ti.task_id.startswith("tenant."))


def states_by_tenant(run: Any) -> dict[str, set[str]]:
    """The states of each tenant's mapped task instances (map index = the tenant's place in the file)."""
    states: dict[str, set[str]] = {name: set() for name in TENANTS}
    for ti in run.get_task_instances():
        if tenant_task(ti):
            states[TENANTS[ti.map_index]].add(str(ti.state))
    return states


def pools_by_tenant(run: Any) -> dict[str, set[str]]:
    pools: dict[str, set[str]] = {name: set() for name in TENANTS}
    for ti in run.get_task_instances():
        if tenant_task(ti):
            pools[TENANTS[ti.map_index]].add(ti.pool)
    return pools


def extract_statuses(run: Any) -> dict[str, str]:
    """Each tenant's extract status, from its extract-finished Asset event (``success`` / ``partial``)."""
    return {event["tenant"]: event["status"] for _, event in asset_events(run.run_id)}


def assert_bills_synced_once(engine: Any, sandbox: SandboxProcess) -> int:
    """Each approved subcontractor invoice is one Xero bill at Procore's amount due, or held with a reason."""
    procore = sandbox.admin("procore", "GET", "state")
    key = key_of(sandbox)
    bill_of = all_links(engine, key, Crosswalk("procore", "requisitions", "xero", "Invoices"))
    bills = {i["InvoiceID"]: i for i in xero_invoices(sandbox) if i["Type"] == "ACCPAY"}
    held = {e.problem.source_id for e in list_open(engine, key) if e.problem.object_type == "requisitions"}
    approved = [r for r in procore["requisitions"] if r["status"] == "approved"]
    for requisition in approved:
        source_id = str(requisition["id"])
        if source_id in held:
            assert source_id not in bill_of
            continue
        bill = bills[bill_of[source_id]]
        assert Decimal(str(bill["Total"])) == Decimal(str(requisition["summary"]["current_payment_due"]))
    synced = [bills[b] for b in bill_of.values()]
    assert len({(b["Contact"]["ContactID"], b["InvoiceNumber"]) for b in synced}) == len(synced)
    assert len(bill_of) + len(held & {str(r["id"]) for r in approved}) == len(approved) > 0
    return len(bill_of)


def test_tenants_not_extracted_yet_are_skipped_with_the_reason_and_nothing_is_written(
    sandboxes: dict[str, SandboxProcess], tenants_env: tuple[str, Mailbox]
) -> None:
    writes_before = {name: writes(s) for name, s in sandboxes.items()}
    sync = run_all("procore_to_xero", sandboxes["summit"])
    assert sync.state == "success"
    steps = {f"tenant.{name}" for name in STEP_ORDER}
    step_states = {
        (TENANTS[ti.map_index], str(ti.state)) for ti in sync.get_task_instances() if ti.task_id in steps
    }
    assert step_states == {(name, "skipped") for name in TENANTS}
    assert {name: writes(s) for name, s in sandboxes.items()} == writes_before


def test_three_tenants_sync_on_their_own_and_the_throttled_one_fails_alone(
    sandboxes: dict[str, SandboxProcess], tenants_env: tuple[str, Mailbox]
) -> None:
    staging_url, mailbox = tenants_env
    engine = create_staging_engine(staging_url)
    throttled = sandboxes[THROTTLED]
    throttled.admin("xero", "POST", "limits", {"daily": DAILY_CALLS_LEFT})
    clock = sandboxes["summit"]

    extract = load_dag("procore_extract").test(logical_date=sandbox_now(clock))
    assert extract.state == "success"
    table = staging_table("procore", "requisitions")
    with engine.connect() as connection:
        companies = set(connection.execute(select(table.c.company_id).distinct()).scalars())
    assert companies == {key_of(s).company_id for s in sandboxes.values()}

    # Xero extract: the throttled organisation's day runs out; the others are staged whole. Each tenant's
    # task says so in its event; the run fails on the partial one.
    xero = load_dag("xero_extract").test(logical_date=sandbox_now(clock))
    assert xero.state == "failed"
    assert extract_statuses(xero) == {"summit": "success", "harbor": "success", THROTTLED: "partial"}
    assert pools_by_tenant(xero) == {name: {f"xero_{name}"} for name in TENANTS}

    # Procore -> Xero: two tenants sync everything, the throttled one writes nothing and fails alone.
    calls_before = throttled.admin("xero", "GET", "stats")["total_calls"]
    invoices_before = len(xero_invoices(throttled))
    sync = run_all("procore_to_xero", clock)
    assert sync.state == "failed"
    states = states_by_tenant(sync)
    assert "failed" in states[THROTTLED] and "success" not in states[THROTTLED] - {"skipped"}
    assert "failed" not in states["summit"] | states["harbor"]
    assert pools_by_tenant(sync)["harbor"] >= {"xero_harbor"}
    assert len(xero_invoices(throttled)) == invoices_before
    assert throttled.admin("xero", "GET", "stats")["total_calls"] - calls_before <= 1
    summit_bills = assert_bills_synced_once(engine, sandboxes["summit"])
    harbor_bills = assert_bills_synced_once(engine, sandboxes["harbor"])
    assert summit_bills > 0 and harbor_bills > 0

    # harbor's override: no sales invoices; summit sends its owner invoices.
    owner_invoices = Crosswalk("procore", "payment_applications", "xero", "Invoices")
    sales = {name: len(all_links(engine, key_of(s), owner_invoices)) for name, s in sandboxes.items()}
    assert sales["harbor"] == 0 and sales["summit"] > 0

    # Each controller hears only about their own records.
    told = {tuple(recipients) for recipients, _ in mailbox.messages}
    assert told <= {(controller("summit"),), (controller("harbor"),)}, told

    # The next day the throttled organisation's limit is back: it catches up; the others write nothing.
    for sandbox in sandboxes.values():
        raise_limits(sandbox)
    writes_before = {name: writes(s) for name, s in sandboxes.items()}
    assert load_dag("xero_extract").test(logical_date=sandbox_now(clock)).state == "success"
    assert run_all("procore_to_xero", clock).state == "success"
    assert assert_bills_synced_once(engine, throttled) > 0
    assert writes(sandboxes["summit"]) == writes_before["summit"]
    assert writes(sandboxes["harbor"]) == writes_before["harbor"]


def writes(sandbox: SandboxProcess) -> int:
    """Xero calls that write (PUT / POST to the Accounting API)."""
    calls = sandbox.admin("xero", "GET", "stats")["calls"]
    return sum(
        n for call, n in calls.items() if call.split(" ")[0] in ("PUT", "POST") and "/api.xro/" in call
    )
