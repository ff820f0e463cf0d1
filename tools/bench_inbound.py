"""``make bench``'s "money back" section: after the Procore -> Xero pass of ``bench_sync`` (same staging
database, same process environment), the sandbox's month-end scenario acts as the controller in Xero, the
Xero objects are extracted, and every Xero -> Procore step runs through the library (Xero-raised POs
switched on), then the job-cost figures; then everything again with nothing changed; then the nightly
drift report is computed and rendered on the result (its time and size).

Per object: records sent and Procore calls against the minimum. A sync action takes at most 1,000 records
of one project, so the minimum is the sum over projects of records ÷ 1,000 rounded up (company-wide
vendors: records ÷ 1,000); payments issued have no sync action (one POST each); direct costs need their
lines' own sync action after theirs (twice the per-project minimum); a commitment made from
a Xero PO also needs a read of its schedule of values, one call per line (Procore's line-items endpoint
takes one line) and the approving sync per project.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from datetime import datetime
from typing import Any

from sandbox.process import REPO_ROOT, SandboxProcess
from tools.bench_extract import calls_by_type, connection, peak_rss_mb, procore_client, xero_run
from tools.bench_out import BenchRow
from tools.extract_env import settings_file
from tools.sync_summary import step_row

SYNC_BATCH = 1_000
INBOUND_STEPS = ("vendors", "payments", "xero_purchase_orders", "direct_costs")


def inbound_context(env: dict[str, str]) -> tuple[Any, Any, Any, Any]:
    """Staging engine, a Procore client, the tenant pair and its spec, as the inbound tasks use them."""
    from procore_xero.mapping import load_spec
    from procore_xero.staging import TenantKey, open_staging

    engine, client = open_staging(), procore_client(env)
    tenant = TenantKey(client.company_id, connection(env, "xero_default")["extra"]["tenant_id"])
    return engine, client, tenant, load_spec()


def inbound_one(context: tuple[Any, Any, Any, Any], name: str, run_id: str) -> dict[str, Any]:
    """One Xero -> Procore step as its DAG task calls it, on an ``inbound_context``."""
    from procore_xero.sync.pipeline import sync_step
    from procore_xero.to_procore.known import known_in_procore
    from procore_xero.to_procore.step import ToProcore

    run = inbound_run(context, run_id)
    return sync_step(name, run, ToProcore(known_in_procore(run.engine, run.key))).to_dict()


def inbound_run(context: tuple[Any, Any, Any, Any], run_id: str) -> Any:
    """The ``TenantRun`` of an ``inbound_context`` (a real run: it writes)."""
    from procore_xero.run_mode import RunMode
    from procore_xero.tenant_run import TenantRun

    engine, client, tenant, spec = context
    return TenantRun("default", tenant, spec, engine, run_id, RunMode(), connect_procore=lambda: client)


def inbound_pass(env: dict[str, str], run_id: str) -> tuple[list[dict[str, Any]], dict[str, Any], float]:
    """Every Xero -> Procore step and the job-cost figures; step results, figures and seconds."""
    from procore_xero.sync.job_cost_run import refresh_job_costs
    from procore_xero.to_procore.known import known_in_procore

    context = inbound_context(env)
    started = time.perf_counter()
    results = []
    for name in INBOUND_STEPS:
        began = time.perf_counter()
        result = inbound_one(context, name, run_id)
        results.append({**result, "seconds": time.perf_counter() - began})
    run = inbound_run(context, run_id)
    figures = refresh_job_costs(run, known_in_procore(run.engine, run.key))
    return results, figures, time.perf_counter() - started


def drift_report_time(env: dict[str, str]) -> dict[str, Any]:
    """The nightly drift report computed and rendered on what the passes left (GX already imported)."""
    from procore_xero.mapping import load_spec
    from procore_xero.reports.files import time_report
    from procore_xero.staging import TenantKey, open_staging

    tenant = TenantKey(
        int(connection(env, "procore_default")["extra"]["company_id"]),
        connection(env, "xero_default")["extra"]["tenant_id"],
    )
    return time_report(open_staging(), tenant, load_spec(), base_currency="USD")


def measure_inbound(env: dict[str, str], until: datetime, xero_url: str) -> dict[str, Any]:
    """In a fresh process: the month end in Xero, a Xero extract, the inbound steps twice."""
    from sandbox.scenario import run_month_end

    os.environ.update(env)
    settings = settings_file(REPO_ROOT / "out" / "bench-sync" / "settings.yaml", xero_purchase_orders=True)
    os.environ["PXSYNC_SETTINGS"] = str(settings)  # Xero-raised POs are off by default
    run_month_end(xero_url)
    extracted = xero_run(env, until, None)
    first, figures, seconds = inbound_pass(env, "bench-inbound-first")
    rerun, _, rerun_seconds = inbound_pass(env, "bench-inbound-rerun")
    report = drift_report_time(env)
    return {
        "first": {r["step"]: step_row(r) for r in first},
        "step_seconds": {r["step"]: r["seconds"] for r in first},
        "xero_extract_calls": calls_by_type(extracted),
        "rerun": {r["step"]: step_row(r) for r in rerun},
        "ignored_payments": next(
            r["load"].get("ignored_payments", 0) for r in first if r["step"] == "payments"
        ),
        "figures": figures,
        "seconds": seconds,
        "rerun_seconds": rerun_seconds,
        "report": report,
        "peak_rss_mb": peak_rss_mb(),
    }


def procore_minimums(sandbox: SandboxProcess) -> dict[str, int]:
    """The fewest Procore calls that can write what the sync made (from the Procore sandbox's state)."""
    state = sandbox.admin("procore", "GET", "state")
    xero_made = {
        "vendors": [v for v in state["vendors"] if made_from_xero(v)],
        "payments": [p for p in state["contract_payments"] if made_from_xero(p)],
        "direct_costs": [d for d in state["direct_costs"] if made_from_xero(d)],
        "xero_purchase_orders": [c for c in state["purchase_order_contracts"] if made_from_xero(c)],
    }
    per_project = {name: Counter(r.get("project_id") for r in rows) for name, rows in xero_made.items()}
    minimum = {
        name: sum(math.ceil(n / SYNC_BATCH) for n in counts.values()) for name, counts in per_project.items()
    }
    commitments = {c["id"] for c in xero_made["xero_purchase_orders"]}
    lines = sum(1 for li in state["commitment_line_items"] if li["holder"]["id"] in commitments)
    minimum["payments"] = len(xero_made["payments"])  # no sync action for payments issued: one POST each
    minimum["direct_costs"] *= 2  # the v1.0 sync takes no lines: then one line-items sync per project
    minimum["xero_purchase_orders"] = 2 * minimum["xero_purchase_orders"] + len(commitments) + lines
    return minimum


def made_from_xero(record: dict[str, Any]) -> bool:
    """Made by this sync from Xero: its origin_id is a Xero id (a GUID), not another integration's key."""
    origin = str(record.get("origin_id") or "")
    return len(origin.split(":")[0]) == 36 and origin.count("-") >= 4


def inbound_table(result: dict[str, Any], minimums: dict[str, int], label: str) -> list[dict[str, Any]]:
    return [
        {
            "seed": label,
            "object": name,
            "sent": row["created"] + row["updated"] + row["deleted"],
            "linked": row["matched"],
            "held": row["held"],
            "calls": row["calls"],
            "writes": row["writes"],
            "minimum_calls": minimums.get(name, 0),
            "rerun_calls": result["rerun"][name]["calls"],
        }
        for name, row in result["first"].items()
    ]


def inbound_rows(result: dict[str, Any], table: list[dict[str, Any]], label: str) -> list[BenchRow]:
    calls = sum(r["calls"] for r in table)
    minimum = sum(r["minimum_calls"] for r in table)
    figures, report = result["figures"], result["report"]
    return [
        (
            "money back",
            f"Procore calls, {label}",
            calls,
            "calls",
            f"minimum {minimum:,}; records sent {sum(r['sent'] for r in table):,}",
        ),
        (
            "money back",
            f"no-change rerun, {label}",
            sum(r["rerun_calls"] for r in table),
            "calls",
            "target 0",
        ),
        (
            "money back",
            f"inbound wall time, {label}",
            result["seconds"],
            "s",
            f"rerun {result['rerun_seconds']:.2f} s",
        ),
        (
            "money back",
            f"job-cost figures, {label}",
            figures["budget_codes"],
            "codes",
            f"{figures['projects']} projects; JTD {figures['totals_base']['jtd_cost_base']} (base)",
        ),
        ("money back", f"peak RSS, {label}", result["peak_rss_mb"], "MB", "VmHWM of the inbound process"),
        (
            "drift report",
            f"report time, {label}",
            report["seconds"],
            "s",
            f"{report['findings']:,} findings over {report['budget_rows']:,} budget rows, "
            f"{report['message_bytes'] / 1e6:.1f} MB message",
        ),
    ]
