"""``make demo``: start both sandboxes with the demo seed, run both extract DAGs against them, then
``procore_to_xero`` (the controller approving nothing), the controller's month end in Xero (the sandbox
scenario), ``xero_to_procore``, ``job_costs`` and the drift report, and show what the sandboxes hold, what
staging received, what each sync created / matched / updated / left unchanged / held, the API calls spent
and the exceptions waiting.

Each step prints a line when it starts and its wall time when it ends (``tools.progress``); the times are
in ``summary.json`` under ``steps``. The DAGs run in-process with ``dag.test()``: SQLite staging and SQLite
Airflow metadata, both under ``out/demo/`` (fresh each run). Leaves ``out/demo/summary.json``, the drift
report under ``out/demo/report/`` and the sandboxes' final state (``procore-state.json``,
``xero-state.json``) as DESIGN.md's contract says.
"""

from __future__ import annotations

import json
import shutil
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import sync_runs
from procore_xero.sync.order import HOURLY_INBOUND_ORDER, NIGHTLY_INBOUND_ORDER, STEP_ORDER
from procore_xero.tenants import APPROVERS_ENV
from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from sandbox.scenario import run_month_end
from tools.approvals import TEST_RESPONDER, controller_answers
from tools.dag_results import step_results
from tools.extract_env import (
    airflow_home_env,
    extract_env,
    init_airflow_db,
    load_dag,
    patched_environ,
    raise_limits,
    sandbox_now,
    settings_file,
    staged_counts,
)
from tools.progress import Progress
from tools.sync_summary import print_sync, sync_rows, waiting_by_reason

OUT_DIR = REPO_ROOT / "out" / "demo"
SERVICES = ("procore", "xero")
SYNC_DAG = "procore_to_xero"
INBOUND_DAGS = ("xero_to_procore", "job_costs")
SYNC_STEPS = {
    SYNC_DAG: STEP_ORDER,
    "xero_to_procore": HOURLY_INBOUND_ORDER,
    "job_costs": NIGHTLY_INBOUND_ORDER,
}
# The approval is answered through Airflow's REST API (tools/approvals.py); validation results land in
# out/demo/data; task logs only from warnings up (the summary is the output; it also saves time).
DAG_ENV = {
    "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
    APPROVERS_ENV: TEST_RESPONDER,
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    "PXSYNC_DATA_DIR": str(OUT_DIR / "data"),
}
OBJECT_TYPES = {"procore": list(PROCORE_SPECS), "xero": list(XERO_SPECS)}
# sandboxes, Airflow metadata, 2 extracts, procore_to_xero, month end, xero_extract, 2 inbound, report, files
STEPS = 11


def count_collections(state: Any, prefix: str = "") -> dict[str, int]:
    """Flatten a ``/_sandbox/state`` document into ``{"tenant/collection": count}``."""
    counts: dict[str, int] = {}
    if isinstance(state, dict):
        for key, value in state.items():
            name = f"{prefix}{key}"
            if isinstance(value, list):
                counts[name] = len(value)
            elif isinstance(value, dict):
                counts.update(count_collections(value, f"{name}/"))
    return counts


def print_table(title: str, values: dict[str, int] | dict[str, float], number: str = ",") -> None:
    """``name  value`` lines, values formatted with ``number`` (``","`` counts, ``".1f"`` seconds)."""
    print(f"\n{title}")
    width = max((len(k) for k in values), default=10)
    for name, value in values.items():
        print(f"  {name:<{width}}  {value:>7{number}}")


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def api_calls_by_object(staging_url: str, system: str) -> dict[str, int]:
    """API calls the extract tasks logged in ``sync_runs``, summed per object type."""
    query = (
        select(sync_runs.c.object_type, func.sum(sync_runs.c.api_calls).label("calls"))
        .where(sync_runs.c.system == system)
        .group_by(sync_runs.c.object_type)
    )
    with create_staging_engine(staging_url).connect() as connection:
        return {row.object_type: int(row.calls) for row in connection.execute(query)}


def staging_report(staging_url: str, system: str) -> dict[str, dict[str, int]]:
    """``{object type: {"staged": rows, "api_calls": calls}}`` for one system."""
    staged = staged_counts(staging_url, system, OBJECT_TYPES[system])
    calls = api_calls_by_object(staging_url, system)
    return {name: {"staged": staged[name], "api_calls": calls.get(name, 0)} for name in OBJECT_TYPES[system]}


def run_extract_dags(sandbox: SandboxProcess, staging_url: str, progress: Progress) -> dict[str, Any]:
    """Both extract DAGs with ``dag.test()`` at the sandbox's "now"; their state, time and staging report."""
    runs: dict[str, Any] = {}
    for service in SERVICES:
        sandbox.admin(service, "DELETE", "stats")
    when = sandbox_now(sandbox)
    for system in SERVICES:
        started = time.perf_counter()
        with progress.step(f"{system}_extract: {system.capitalize()} into staging"):
            dag_run = load_dag(f"{system}_extract").test(logical_date=when)
        runs[system] = {
            "dag_id": f"{system}_extract",
            "state": str(dag_run.state),
            "seconds": round(time.perf_counter() - started, 1),
            "objects": staging_report(staging_url, system),
            "sandbox_calls": sandbox.admin(system, "GET", "stats")["total_calls"],
        }
    return {"staging_db": str(OUT_DIR / "staging.db"), "rate_limits": "raised (/_sandbox/limits)", **runs}


def run_sync_dag(
    sandbox: SandboxProcess, staging_url: str, dag_id: str, target: str, progress: Progress
) -> dict[str, Any]:
    """One sync DAG with ``dag.test()``, the controller approving nothing; per-object figures."""
    calls_before = sandbox.admin(target, "GET", "stats")["total_calls"]
    started = time.perf_counter()
    with (
        progress.step(f"{dag_id}: writes to {target.capitalize()}"),
        controller_answers({"approve": [], "reject": []}, dag_id=dag_id) as answers,
    ):
        dag_run = load_dag(dag_id).test(logical_date=sandbox_now(sandbox))
    results = step_results(dag_id, dag_run.run_id)
    return {
        "dag_id": dag_id,
        "state": str(dag_run.state),
        "seconds": round(time.perf_counter() - started, 1),
        "approval_answered": bool(answers),
        "objects": sync_rows([results[name] for name in SYNC_STEPS[dag_id] if name in results]),
        "target": target,
        "calls": sandbox.admin(target, "GET", "stats")["total_calls"] - calls_before,
        "exceptions_waiting": waiting_by_reason(create_staging_engine(staging_url)),
    }


def run_money_back(sandbox: SandboxProcess, staging_url: str, progress: Progress) -> dict[str, Any]:
    """The controller's month end in Xero (the sandbox scenario), a Xero extract, then ``xero_to_procore``
    and ``job_costs`` (Xero-raised POs switched on for the demo), then the drift report."""
    with progress.step("The controller's month end in Xero (sandbox scenario)"):
        month = run_month_end(sandbox.xero_url)
    # Xero-raised POs are off by default; the demo switches them on to show them too.
    settings = settings_file(OUT_DIR / "settings.yaml", xero_purchase_orders=True)
    with patched_environ({"PXSYNC_SETTINGS": str(settings)}):
        with progress.step("xero_extract: the month end into staging"):
            assert load_dag("xero_extract").test(logical_date=sandbox_now(sandbox)).state == "success"
        runs = {
            dag_id: run_sync_dag(sandbox, staging_url, dag_id, "procore", progress) for dag_id in INBOUND_DAGS
        }
        runs["job_costs"]["figures"] = job_cost_totals(staging_url)
        with progress.step("drift_report: the controller's morning mail, as files"):
            runs["drift_report"] = drift_report_files(sandbox, staging_url)
    return {"month_end": month_end_summary(month), **runs}


def drift_report_files(sandbox: SandboxProcess, staging_url: str) -> dict[str, Any]:
    """The nightly drift report as the controller would receive it, written to ``out/demo/report``, with
    links on the sandboxes' hosts; its headline for the console."""
    from procore_xero.mapping import load_spec
    from procore_xero.reports.files import make_report, save_report
    from procore_xero.reports.links import RecordLinks
    from procore_xero.reports.summary import headline
    from procore_xero.staging import TenantKey

    tenant = TenantKey(
        sandbox.admin("procore", "GET", "credentials")["company_id"],
        sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0],
    )
    report, rendered = make_report(
        create_staging_engine(staging_url),
        tenant,
        load_spec(),
        links=RecordLinks.from_api_hosts(sandbox.procore_url, sandbox.xero_url),
    )
    files = save_report(report, rendered, OUT_DIR / "report")
    return {
        "files": [str(path.relative_to(REPO_ROOT)) for path in files.paths()],
        "headline": [
            {"figure": label, "value": value, "counts": what} for label, value, what in headline(report)
        ],
    }


def run_dags(
    sandbox: SandboxProcess, progress: Progress
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The extract DAGs, the Procore -> Xero sync, then money coming back, on one SQLite staging database
    and Airflow metadata database."""
    staging_url = f"sqlite:///{OUT_DIR / 'staging.db'}"
    env = {**airflow_home_env(OUT_DIR / "airflow"), **extract_env(sandbox, staging_url), **DAG_ENV}
    with patched_environ(env):
        with progress.step("Airflow metadata database (SQLite, out/demo/airflow)"):
            init_airflow_db()
            raise_limits(sandbox)
        extract = run_extract_dags(sandbox, staging_url, progress)
        sync = run_sync_dag(sandbox, staging_url, SYNC_DAG, "xero", progress)
        return extract, sync, run_money_back(sandbox, staging_url, progress)


def month_end_summary(month: dict[str, Any]) -> dict[str, int]:
    """What the controller did in Xero, counted."""
    payments = month["payments"]
    return {
        "payments_in_full": len(payments["paid_in_full"]["payments"]),
        "partial_payments": len(payments["partial"]["payments"]) + len(payments["second_part"]["payments"]),
        "payments_deleted": 1,
        "bills_entered": len(month["bills"]),
        "spend_money": len(month["spend_money"]),
        "purchase_orders_raised": len(month["purchase_orders"]),
    }


def job_cost_totals(staging_url: str) -> dict[str, Any]:
    """The job-cost figures in staging: budget codes, and totals in the base currency."""
    from procore_xero.staging.job_costs import read_job_costs

    rows = read_job_costs(create_staging_engine(staging_url))
    totals = {
        name: str(sum((r[name] for r in rows), Decimal("0.00")))
        for name in ("jtd_cost_base", "commitment_invoiced_base", "direct_costs_base")
    }
    return {"budget_codes": len(rows), "projects": len({r["project_id"] for r in rows}), **totals}


def print_extract(system: str, run: dict[str, Any]) -> None:
    objects = run["objects"]
    width = max(len(name) for name in objects)
    print(f"\n{run['dag_id']}: {run['state']} in {run['seconds']} s")
    print(f"  {'object type':<{width}}  {'staged':>7}  {'API calls':>9}")
    for name, row in objects.items():
        print(f"  {name:<{width}}  {row['staged']:>7,}  {row['api_calls']:>9,}")
    staged = sum(row["staged"] for row in objects.values())
    calls = sum(row["api_calls"] for row in objects.values())
    print(f"  {'total':<{width}}  {staged:>7,}  {calls:>9,}  (sandbox counted {run['sandbox_calls']:,})")


def print_sync_run(run: dict[str, Any]) -> None:
    answered = "answered, nothing approved" if run["approval_answered"] else "nothing to approve"
    print(f"\n{run['dag_id']}: {run['state']} in {run['seconds']} s (approval {answered})")
    print_sync(run["objects"], run["exceptions_waiting"])
    print(f"  {run['target'].capitalize()} API calls spent by the DAG: {run['calls']:,} (sandbox count)")


def print_money_back(back: dict[str, Any]) -> None:
    month = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in back["month_end"].items())
    print(f"\nThe controller's month end in Xero (sandbox scenario): {month}")
    for dag_id in INBOUND_DAGS:
        print_sync_run(back[dag_id])
    figures = back["job_costs"]["figures"]
    print(
        f"  job-cost figures in staging: {figures['budget_codes']:,} budget codes on {figures['projects']} "
        f"projects; JTD {figures['jtd_cost_base']} = commitment invoiced "
        f"{figures['commitment_invoiced_base']} + direct costs {figures['direct_costs_base']} (base currency)"
    )
    print("\nThe nightly drift report, as e-mailed to the controller:")
    for line in back["drift_report"]["headline"]:
        print(f"  {line['figure']}: {line['value']}  ({line['counts']})")
    print("  files: " + ", ".join(back["drift_report"]["files"]))


def main() -> int:
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    OUT_DIR.mkdir(parents=True)
    progress = Progress(STEPS)
    print(f"make demo: {STEPS} steps, about 5 minutes; the summary follows the last one.", flush=True)
    with progress.step("Procore and Xero sandboxes with the demo seed"):
        sandbox = start_sandbox(OUT_DIR / "sandbox.log")
    try:
        states = {service: sandbox.admin(service, "GET", "state") for service in SERVICES}
        extract, sync, money_back = run_dags(sandbox, progress)
        with progress.step("Sandbox state and summary into out/demo"):
            summary: dict[str, Any] = {
                "sandbox": {"procore_url": sandbox.procore_url, "xero_url": sandbox.xero_url},
                "seed": "demo",
                "holds": {service: count_collections(state) for service, state in states.items()},
                "api_calls": {s: sandbox.admin(s, "GET", "stats")["total_calls"] for s in SERVICES},
                "extract": extract,
                "sync": sync,
                "money_back": money_back,
                "steps": progress.seconds,
            }
            for service in SERVICES:
                write_json(OUT_DIR / f"{service}-state.json", sandbox.admin(service, "GET", "state"))
            write_json(OUT_DIR / "summary.json", summary)
    finally:
        sandbox.stop()
    print(f"Sandboxes started with the demo seed (Procore {sandbox.procore_url}, Xero {sandbox.xero_url}).")
    print_table("Procore sandbox holds:", summary["holds"]["procore"])
    print_table("Xero sandbox holds:", summary["holds"]["xero"])
    print("\nExtract DAGs (dag.test(), sandbox rate limits raised via POST /_sandbox/limits):")
    for system in SERVICES:
        print_extract(system, extract[system])
    print_sync_run(sync)
    print_money_back(money_back)
    total = f"{sum(progress.seconds.values()):.0f} s in all"
    print_table(f"Wall time per step (seconds; {total}):", progress.seconds, ".1f")
    print(f"\nWrote {OUT_DIR.relative_to(REPO_ROOT)}/summary.json, procore-state.json, xero-state.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
