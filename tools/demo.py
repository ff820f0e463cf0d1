"""``make demo``: start both sandboxes with the demo seed, run both extract DAGs against them, and show what
the sandboxes hold, what staging received and the API calls spent.

The DAGs run in-process with ``dag.test()``: SQLite staging and SQLite Airflow metadata, both under
``out/demo/`` (fresh each run). Leaves ``out/demo/summary.json`` and the sandboxes' final state
(``procore-state.json``, ``xero-state.json``) as DESIGN.md's contract says.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import sync_runs
from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.extract_env import (
    airflow_home_env,
    extract_env,
    init_airflow_db,
    load_dag,
    patched_environ,
    raise_limits,
    sandbox_now,
    staged_counts,
)

OUT_DIR = REPO_ROOT / "out" / "demo"
SERVICES = ("procore", "xero")
OBJECT_TYPES = {"procore": list(PROCORE_SPECS), "xero": list(XERO_SPECS)}


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


def print_table(title: str, counts: dict[str, int]) -> None:
    print(f"\n{title}")
    width = max((len(k) for k in counts), default=10)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>7,}")


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def api_calls_by_object(staging_url: str, system: str) -> dict[str, int]:
    """API calls the extract tasks logged in ``sync_runs``, summed per object type."""
    query = (
        select(sync_runs.c.object_type, func.sum(sync_runs.c.api_calls))
        .where(sync_runs.c.system == system)
        .group_by(sync_runs.c.object_type)
    )
    with create_staging_engine(staging_url).connect() as connection:
        return {name: int(calls) for name, calls in connection.execute(query)}


def staging_report(staging_url: str, system: str) -> dict[str, dict[str, int]]:
    """``{object type: {"staged": rows, "api_calls": calls}}`` for one system."""
    staged = staged_counts(staging_url, system, OBJECT_TYPES[system])
    calls = api_calls_by_object(staging_url, system)
    return {name: {"staged": staged[name], "api_calls": calls.get(name, 0)} for name in OBJECT_TYPES[system]}


def run_extract_dags(sandbox: SandboxProcess) -> dict[str, Any]:
    """Both extract DAGs with ``dag.test()`` at the sandbox's "now"; their state, time and staging report."""
    staging_url = f"sqlite:///{OUT_DIR / 'staging.db'}"
    env = {**airflow_home_env(OUT_DIR / "airflow"), **extract_env(sandbox, staging_url)}
    runs: dict[str, Any] = {}
    with patched_environ(env):
        init_airflow_db()
        raise_limits(sandbox)
        for service in SERVICES:
            sandbox.admin(service, "DELETE", "stats")
        when = sandbox_now(sandbox)
        for system in SERVICES:
            started = time.perf_counter()
            dag_run = load_dag(f"{system}_extract").test(logical_date=when)
            runs[system] = {
                "dag_id": f"{system}_extract",
                "state": str(dag_run.state),
                "seconds": round(time.perf_counter() - started, 1),
                "objects": staging_report(staging_url, system),
                "sandbox_calls": sandbox.admin(system, "GET", "stats")["total_calls"],
            }
    return {"staging_db": str(OUT_DIR / "staging.db"), "rate_limits": "raised (/_sandbox/limits)", **runs}


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


def main() -> int:
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    OUT_DIR.mkdir(parents=True)
    sandbox = start_sandbox(OUT_DIR / "sandbox.log")
    try:
        states = {service: sandbox.admin(service, "GET", "state") for service in SERVICES}
        extract = run_extract_dags(sandbox)
        summary = {
            "sandbox": {"procore_url": sandbox.procore_url, "xero_url": sandbox.xero_url},
            "seed": "demo",
            "holds": {service: count_collections(state) for service, state in states.items()},
            "api_calls": {s: sandbox.admin(s, "GET", "stats")["total_calls"] for s in SERVICES},
            "extract": extract,
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
    print(f"\nWrote {OUT_DIR.relative_to(REPO_ROOT)}/summary.json, procore-state.json, xero-state.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
