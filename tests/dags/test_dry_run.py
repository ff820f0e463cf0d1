"""A dry run of each sync DAG writes nothing anywhere: no write reaches either emulator, staging keeps every
row of every table, and no file under the data dir is added, removed or touched. The three runs follow a
real day (Procore -> Xero, the controller's month end, the Xero extract), so each has plenty it would do.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

from procore_xero.staging import create_staging_engine
from procore_xero.sync.order import HOURLY_INBOUND_ORDER, NIGHTLY_INBOUND_ORDER, STEP_ORDER
from sandbox.process import SandboxProcess
from sandbox.scenario import run_month_end
from tests.dags.round_trip import NO_DECISION, run, settings_with
from tools.approvals import controller_answers
from tools.dag_results import step_results
from tools.extract_env import load_dag, patched_environ, sandbox_now

READS = ("GET", "HEAD")
TOKEN_CALLS = ("POST /connect/token", "POST /oauth/token")  # a client's sign-in: not a write to the books
# Kept by the API clients on every run, a dry run's reads included: a refreshed sign-in, and the calls spent
# against each API's daily limit (shared with every other run of the tenant).
CLIENT_TABLES = frozenset({"oauth_tokens", "api_calls", "api_limits"})


def emulator_writes(sandbox: SandboxProcess) -> dict[str, dict[str, int]]:
    """Every non-read request each emulator answered since its counters were cleared (sign-ins aside)."""
    return {
        service: {
            call: n
            for call, n in sandbox.admin(service, "GET", "stats")["calls"].items()
            if call.split(" ")[0] not in READS and call not in TOKEN_CALLS
        }
        for service in ("procore", "xero")
    }


def staging_digest(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per staging table: its row count and a hash of every row, in key order."""
    tables = MetaData()
    tables.reflect(engine)
    digest = {}
    with engine.connect() as connection:
        for name, table in sorted(tables.tables.items()):
            if name in CLIENT_TABLES:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).all()
            text = "\n".join(repr(tuple(row)) for row in rows)
            digest[name] = (len(rows), hashlib.sha256(text.encode()).hexdigest())
    return digest


def files_under(directory: Path) -> dict[str, int]:
    """Every file under ``directory`` with its modification time (ns)."""
    if not directory.exists():
        return {}
    return {
        str(path.relative_to(directory)): os.stat(path).st_mtime_ns
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def dry_run(dag_id: str, sandbox: SandboxProcess) -> dict[str, dict[str, Any]]:
    """One ``dag.test()`` dry run; its step results by task."""
    with controller_answers(NO_DECISION, dag_id=dag_id):
        run_ = load_dag(dag_id).test(logical_date=sandbox_now(sandbox), run_conf={"dry_run": True})
    assert run_.state == "success", dag_id
    return step_results(dag_id, run_.run_id)


def test_dry_runs_write_nothing_anywhere(sandbox: SandboxProcess, synced_env: str, tmp_path: Path) -> None:
    run("procore_to_xero", sandbox)
    month = run_month_end(sandbox.xero_url)
    settings = settings_with(tmp_path, xero_purchase_orders=True)
    with patched_environ({"PXSYNC_SETTINGS": settings}):
        run("xero_extract", sandbox)
        engine = create_staging_engine(synced_env)
        staged, files = staging_digest(engine), files_under(tmp_path / "data")
        for service in ("procore", "xero"):
            sandbox.admin(service, "DELETE", "stats")
        outbound = dry_run("procore_to_xero", sandbox)
        inbound = dry_run("xero_to_procore", sandbox)
        nightly = dry_run("job_costs", sandbox)

    assert emulator_writes(sandbox) == {"procore": {}, "xero": {}}
    assert staging_digest(engine) == staged
    assert files_under(tmp_path / "data") == files
    # Each run had work it would have done (so the checks above could fail).
    assert {step: outbound[step]["load"]["dry_run"] for step in STEP_ORDER} == dict.fromkeys(STEP_ORDER, True)
    assert outbound["bills"]["load"]["counts"]["Invoices"]["unchanged"] > 1000
    assert month["payments"]["paid_in_full"]["payments"]
    assert inbound["payments"]["load"]["counts"]["contract_payments"]["created"] > 0
    assert set(HOURLY_INBOUND_ORDER) <= set(inbound) and set(NIGHTLY_INBOUND_ORDER) <= set(nightly)
    assert nightly["job_cost_figures"]["budget_codes"] > 0
