"""One sandbox on the demo seed (scale 0.2) with every catalogue case written into it, and one full run
of the library on it: Procore extract, every Procore -> Xero step, Xero extract, the drift report.

The cases share the run (one sandbox start, one extract, one sync: about 15 s); each test then reads what
the run left for its own record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from procore_xero.reports.files import ReportFiles, write_report_files
from procore_xero.staging import TenantKey
from procore_xero.staging.exceptions_queue import QueuedException, list_open
from procore_xero.staging.schema import id_map
from sandbox.process import SandboxProcess, start_sandbox
from sandbox.scenario import read_books
from sandbox.seed import generate_seed
from tests.catalogue.cases import CASES, HTML_PAYLOAD, Picker, Target
from tests.catalogue.xero_cases import XERO_CASES, Books, bill
from tools.bench_extract import procore_run, xero_run
from tools.bench_inbound import inbound_pass
from tools.bench_sync import SyncContext, sync_context, sync_pass
from tools.extract_env import extract_env, patched_environ, raise_limits, sandbox_now

SCALE = 0.2  # 5 projects, 60 vendors, 400 subcontractor invoices: every kind of record, in seconds
# Shown in the drift report's project column: its HTML must escape it, its CSV must neutralise it.
REPORT_PROJECT_NAME = '=HYPERLINK("http://evil.example","x") ' + HTML_PAYLOAD


@dataclass
class World:
    """What the run left: the seed it ran on, each case's record, staging, Xero's state, the report."""

    seed: dict[str, Any]
    targets: dict[str, Target]
    xero_bills: dict[str, dict[str, Any]]  # Xero case name -> the bill as Xero stored it
    sandbox: SandboxProcess
    env: dict[str, str]
    ctx: SyncContext
    results: list[dict[str, Any]]
    report: ReportFiles

    @property
    def tenant(self) -> TenantKey:
        return self.ctx.tenant

    def xero(self) -> dict[str, Any]:
        """The Xero tenant's stored objects, as the sandbox holds them now."""
        return self.sandbox.admin("xero", "GET", "state")["tenants"][self.tenant.tenant_id]

    def problems(self, target: Target) -> list[QueuedException]:
        """Open exceptions on the record."""
        return [
            e
            for e in list_open(self.ctx.engine, self.tenant)
            if e.problem.object_type == target.source_type and e.problem.source_id == str(target.source_id)
        ]

    def links(self, source_type: str) -> dict[str, str]:
        """Source id -> Xero id of every record of ``source_type`` the sync put in Xero."""
        with self.ctx.engine.connect() as connection:
            query = select(id_map.c.source_id, id_map.c.target_id).where(id_map.c.source_type == source_type)
            return {row.source_id: row.target_id for row in connection.execute(query)}


def hostile_seed() -> tuple[dict[str, Any], dict[str, Target]]:
    """The demo seed with every case's alteration, and the record each case altered."""
    seed = generate_seed(SCALE)
    pick = Picker(seed)
    targets = {case.name: case.alter(pick) for case in CASES}
    project = next(p for p in seed["procore"]["projects"] if p["id"] == pick.synced_project())
    project["name"] = REPORT_PROJECT_NAME
    return seed, targets


def build_world(work: Path) -> World:
    """Start the sandbox on the hostile seed and run the library on it (the caller stops the sandbox)."""
    seed, targets = hostile_seed()
    seed_path = work / "hostile-seed.json"
    seed_path.write_text(json.dumps(seed, default=str), encoding="utf-8")
    sandbox = start_sandbox(work / "sandbox.log", seed=str(seed_path))
    try:
        env = {**extract_env(sandbox, f"sqlite:///{work / 'staging.db'}"), "PXSYNC_DATA_DIR": str(work)}
        with patched_environ(env):
            raise_limits(sandbox)
            until = sandbox_now(sandbox)
            procore_run(env, until, None)
            ctx = sync_context(env)
            results, _seconds = sync_pass(ctx, "catalogue")
            xero_bills = enter_bills(sandbox, ctx.tenant.tenant_id)
            xero_run(env, until, None)
            inbound_pass(env, "catalogue")
            report = write_report_files(
                ctx.engine, ctx.tenant, ctx.spec, work / "report", base_currency="USD"
            )
    except BaseException:
        sandbox.stop()
        raise
    return World(seed, targets, xero_bills, sandbox, env, ctx, results, report)


def enter_bills(sandbox: SandboxProcess, tenant_id: str) -> dict[str, dict[str, Any]]:
    """Each Xero case's bill, entered by the sandbox's controller on the first synced USD project."""
    today = sandbox_now(sandbox).date()
    found = read_books(sandbox.admin("xero", "GET", "state"), tenant_id, today)
    option = found.usd_options[0]
    books = Books(option, found.items_by_option[option])
    entered = {}
    for number, case in enumerate(XERO_CASES, start=1):
        body = {"tenant_id": tenant_id, "actions": [bill(case, books, number, today.isoformat())]}
        entered[case.name] = sandbox.admin("xero", "POST", "controller", body)["results"][0]["invoice"]
    return entered
