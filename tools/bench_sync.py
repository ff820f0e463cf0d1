"""``make bench``'s "sync" section: Procore -> Xero from an empty crosswalk through the library (not the DAG),
in a fresh process per seed (peak RSS its own): Procore staged by ``procore_run``, then every step of
``STEP_ORDER`` with ``sync_step`` and ``known_in_xero`` as the DAG's tasks call them, then the same again
with nothing changed.

Per object: records sent, Xero writes (PUT/POST) and reads (GET) against the minimum writes (records sent
÷ 50 per target type, rounded up); the no-change rerun's calls (target: zero writes); transform and
validation timed apart from the load on the same inputs; wall time against the bound set by Xero's
60 calls/minute; and the bills a day the Starter tier's 1,000 calls allow at this run's Xero calls per bill
(the bills with the contacts, items and tracking options they reference).
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procore_xero.clients.xero import WRITE_BATCH_SIZE
from procore_xero.sync.order import STEP_ORDER
from sandbox.process import REPO_ROOT, SandboxProcess
from tools.bench_extract import connection, in_fresh_process, peak_rss_mb, procore_run, xero_client
from tools.bench_inbound import inbound_rows, inbound_table, measure_inbound, procore_minimums
from tools.bench_out import BenchRow
from tools.extract_env import extract_env, sandbox_now
from tools.sync_summary import LABELS, split_calls, sync_rows

WORK_DIR = REPO_ROOT / "out" / "bench-sync"
XERO_CALLS_PER_MINUTE = 60
STARTER_CALLS_PER_DAY = 1_000
BILL_STEPS = ("tracking_options", "items", "contacts", "bills")  # what the bills need in Xero
SENT = ("created", "updated", "failed")  # outcomes whose records went out in a write


@dataclass(frozen=True)
class SyncContext:
    """What every step is called with (as ``procore_xero.airflow.sync_tasks.sync_step_task`` builds it)."""

    client: Any
    engine: Any
    tenant: Any
    spec: Any
    currencies: list[str]


def sync_context(env: dict[str, str]) -> SyncContext:
    """Staging, a Xero client, the tenant pair and its mapping spec; the currencies cost one GET."""
    from procore_xero.mapping import load_spec
    from procore_xero.staging import TenantKey, open_staging

    engine = open_staging()
    client = xero_client(env, engine)
    tenant = TenantKey(int(connection(env, "procore_default")["extra"]["company_id"]), client.tenant_id)
    currencies = sorted(c["Code"] for c in client.get("Currencies")["Currencies"])
    return SyncContext(client, engine, tenant, load_spec(), currencies)


def sync_one(ctx: SyncContext, name: str, run_ids: dict[str, dict[str, str]], run_id: str) -> dict[str, Any]:
    """One step as its DAG task calls it: ``known`` from staging plus the earlier links of the run."""
    from procore_xero.run_mode import RunMode
    from procore_xero.sync.pipeline import sync_step
    from procore_xero.tenant_run import TenantRun
    from procore_xero.to_xero.known import known_in_xero
    from procore_xero.to_xero.step import ToXero

    known = known_in_xero(ctx.engine, ctx.tenant, ctx.spec, run_ids, ctx.currencies)
    run = TenantRun("default", ctx.tenant, ctx.spec, ctx.engine, run_id, RunMode(), lambda: ctx.client)
    return sync_step(name, run, ToXero(known)).to_dict()


def sync_pass(ctx: SyncContext, run_id: str) -> tuple[list[dict[str, Any]], float]:
    """Every step in order, this run's ID maps handed on as the DAG does by XCom; results and seconds."""
    run_ids: dict[str, dict[str, str]] = {}
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    for name in STEP_ORDER:
        began = time.perf_counter()
        result = sync_one(ctx, name, run_ids, run_id)
        result["seconds"] = time.perf_counter() - began
        for source_type, links in result["ids"].items():
            run_ids.setdefault(source_type, {}).update(links)
        results.append(result)
    return results, time.perf_counter() - started


def transform_validate_times(ctx: SyncContext) -> dict[str, dict[str, float]]:
    """Per step: rows, seconds in the transform and in validation, on the staged inputs the step reads."""
    from procore_xero.sync.steps import STEPS
    from procore_xero.to_xero.known import known_in_xero
    from procore_xero.to_xero.step import staged_inputs
    from procore_xero.validation import validate

    known = known_in_xero(ctx.engine, ctx.tenant, ctx.spec, {}, ctx.currencies)
    times: dict[str, dict[str, float]] = {}
    for name in STEP_ORDER:
        step = STEPS[name]
        frames = staged_inputs(ctx.engine, step.staged, ctx.tenant.company_id, None)
        started = time.perf_counter()
        frame = step.transformed(frames, known, ctx.spec)
        transformed = time.perf_counter()
        validate(frame, name, ctx.spec.settings)
        validated = time.perf_counter()
        times[name] = {
            "rows": len(frame),
            "transform_s": transformed - started,
            "validate_s": validated - transformed,
        }
    return times


def minimum_writes(result: Mapping[str, Any]) -> tuple[int, int]:
    """(records sent, fewest writes that can send them: ÷ 50 per target type, rounded up)."""
    sent = {target: sum(counts[k] for k in SENT) for target, counts in result["load"]["counts"].items()}
    return sum(sent.values()), sum(math.ceil(n / WRITE_BATCH_SIZE) for n in sent.values())


def measure_sync(env: dict[str, str], until: datetime) -> dict[str, Any]:
    """In a fresh process: stage Procore, sync from empty, time transform + validation, rerun unchanged."""
    os.environ.update(env)
    procore_run(env, until, None)
    ctx = sync_context(env)
    first, seconds = sync_pass(ctx, "bench-sync-first")
    times = transform_validate_times(ctx)
    rerun, rerun_seconds = sync_pass(ctx, "bench-sync-rerun")
    return {
        "first": sync_rows(first),
        "sent": {r["step"]: minimum_writes(r) for r in first},
        "seconds": seconds,
        "step_seconds": {r["step"]: r["seconds"] for r in first},
        "rerun": sync_rows(rerun),
        "rerun_seconds": rerun_seconds,
        "times": times,
        "other_calls": split_calls(ctx.client.calls)[1] - sync_reads(first, rerun),
        "peak_rss_mb": peak_rss_mb(),
    }


def sync_reads(*passes: list[dict[str, Any]]) -> int:
    """GETs the steps' loads made (the client's other reads are outside the steps: the currencies)."""
    return sum(split_calls(r["load"]["calls"])[1] for results in passes for r in results)


def run_sync(sandbox: SandboxProcess, label: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """``measure_sync`` in a spawned process on an empty SQLite staging database, then ``measure_inbound``
    (money coming back) in another one on the same database and environment (returned last)."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    database = WORK_DIR / f"{label.replace(' ', '_')}.db"
    database.unlink(missing_ok=True)
    env = {
        **extract_env(sandbox, f"sqlite:///{database}"),
        "PXSYNC_DATA_DIR": str(WORK_DIR / "data"),
    }
    outbound = in_fresh_process(measure_sync, env, sandbox_now(sandbox))
    return outbound, in_fresh_process(measure_inbound, env, sandbox_now(sandbox), sandbox.xero_url), env


def calls_table(result: dict[str, Any], label: str) -> list[dict[str, Any]]:
    """One row per object: records sent, writes / reads against the minimum, the rerun's calls."""
    return [
        {
            "seed": label,
            "object": name,
            "sent": result["sent"][name][0],
            "writes": row["writes"],
            "reads": row["reads"],
            "minimum_writes": result["sent"][name][1],
            "rerun_writes": result["rerun"][name]["writes"],
            "rerun_reads": result["rerun"][name]["reads"],
            **{k: row[k] for k in ("created", "matched", "updated", "unchanged", "held")},
        }
        for name, row in result["first"].items()
    ]


def throughput_rows(times: dict[str, dict[str, float]], label: str) -> list[BenchRow]:
    """Transform + validation rows/s per object and overall (time in each part in the detail)."""
    rows = []
    for name, t in {**times, "all objects": total_times(times)}.items():
        seconds = t["transform_s"] + t["validate_s"]
        detail = (
            f"{t['rows']:,.0f} rows; transform {t['transform_s']:.2f} s, validate {t['validate_s']:.2f} s"
        )
        case = f"transform+validate {LABELS.get(name, name)}, {label}"
        rows.append(("sync", case, t["rows"] / seconds if seconds else 0.0, "rows/s", detail))
    return rows


def total_times(times: dict[str, dict[str, float]]) -> dict[str, float]:
    totals: Counter[str] = Counter()
    for t in times.values():
        totals.update(t)
    return dict(totals)


def bill_calls(result: Mapping[str, Any]) -> int:
    """Xero calls the bills cost with everything they reference (tracking options, items, contacts) and
    the currencies read every run makes."""
    return sum(result["first"][step]["calls"] for step in BILL_STEPS) + result["other_calls"]


def starter_per_day(calls: int, invoices: int, fixed_per_run: int = 0, runs: int = 0) -> float:
    """Invoices a day Xero's Starter tier (1,000 calls a day) lets through at the measured calls per invoice;
    with ``runs`` a day, each run's ``fixed_per_run`` calls come off the allowance first."""
    per_invoice = (calls - fixed_per_run) / invoices
    return max(0, STARTER_CALLS_PER_DAY - runs * fixed_per_run) / per_invoice


def summary_rows(result: dict[str, Any], label: str) -> list[BenchRow]:
    """Calls, rerun, wall time against the 60 calls/minute bound, Starter-tier bills a day, peak RSS."""
    first, rerun = result["first"].values(), result["rerun"].values()
    writes, reads = sum(r["writes"] for r in first), sum(r["reads"] for r in first)
    minimum = sum(least for _, least in result["sent"].values())
    calls = writes + reads + result["other_calls"]
    bound_s = calls / XERO_CALLS_PER_MINUTE * 60
    bills, spent = result["first"]["bills"]["created"], bill_calls(result)
    return [
        ("sync", f"Xero writes, {label}", writes, "calls", f"minimum {minimum:,}; GET reads {reads:,}"),
        (
            "sync",
            f"no-change rerun, {label}",
            sum(r["writes"] for r in rerun),
            "writes",
            f"GET reads {sum(r['reads'] for r in rerun):,}",
        ),
        (
            "sync",
            f"sync wall time, {label}",
            result["seconds"],
            "s",
            f"60 calls/min bound for {calls:,} calls: {bound_s:,.0f} s",
        ),
        (
            "sync",
            f"Starter tier bills/day, {label}",
            starter_per_day(spent, bills) if bills else 0.0,
            "bills",
            f"{spent:,} Xero calls for {bills:,} bills with their contacts, items, tracking options",
        ),
        ("sync", f"peak RSS, {label}", result["peak_rss_mb"], "MB", "VmHWM of the syncing process"),
    ]


def bench_sync(
    sandbox: SandboxProcess, label: str
) -> tuple[list[BenchRow], list[dict[str, Any]], list[dict[str, Any]], tuple]:
    """Summary rows ``(section, case, value, unit, detail)``, the per-object Xero calls table, the
    per-object Procore calls table (money coming back) for one seed, and the raw run (outbound result,
    inbound result, environment) for the baseline to compare with."""
    result, inbound, env = run_sync(sandbox, label)
    back = inbound_table(inbound, procore_minimums(sandbox), label)
    rows = (
        summary_rows(result, label)
        + throughput_rows(result["times"], label)
        + inbound_rows(inbound, back, label)
    )
    return rows, calls_table(result, label), back, (result, inbound, env)
