"""``make bench``: the benchmark suite. Prints one table and writes ``out/bench.json``.

Sections: sandbox start-up per seed scale; emulator throughput for paged lists (the requests/s a client
can draw from each emulator on one keep-alive connection, and from 4 in parallel); the extract for the
demo seed and ``--scale 10`` (``tools/bench_extract.py``); and the Procore -> Xero sync of both from an
empty Xero crosswalk, then unchanged (``tools/bench_sync.py``), followed by money coming back from Xero
(``tools/bench_inbound.py``) and the nightly drift report's time; on the demo seed, the same bills and
payments sent by a deliberately simple per-record integration (``tools/bench_baseline.py``) on the reset
sandbox; DAG parse time per file (``tools/bench_parse.py``); the no-change hourly extract through
Airflow's real scheduler vs. the library, and task instances per run (``tools/bench_airflow.py``, key
``scale``); a Procore approval to the document in Xero through the real scheduler (``tools/bench_latency.py``,
key ``scale.approval_to_bill_seconds``); the first full extract at the largest scale paced by the rate
headers, killed half-way and resumed (``tools/bench_first_extract.py``, key
``scale.first_extract_limit_share``: the one section run under a limit, shortened to 720 calls a minute);
peak RSS of every stage and of the emulators.
The sandboxes' rate limits are raised for all of it but the paced first extract (``POST /_sandbox/limits``):
the figures are the code's, not the throttles'. Everything goes into one table (the per-object call counts
as its ``calls/…`` rows).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_airflow import bench_airflow
from tools.bench_baseline import bench_baseline
from tools.bench_extract import bench_extract
from tools.bench_feeds import SIMULATED_PROJECTS, quiet_hour, simulated_quiet_hour, xero_figures, xero_hours
from tools.bench_first_extract import bench_first_extract, bench_row
from tools.bench_http import procore_api, sync_tenant_id, xero_api
from tools.bench_latency import bench_latency
from tools.bench_out import OUT, BenchRow, write_bench
from tools.bench_parse import bench_parse
from tools.bench_sync import bench_sync
from tools.extract_env import RAISED_LIMITS, raise_limits
from tools.sync_summary import LABELS

LOG_DIR = REPO_ROOT / "out" / "bench-logs"


@dataclass
class Row:
    section: str
    case: str
    value: float
    unit: str
    detail: str = ""


def procore_lister(sandbox: SandboxProcess, per_page: int) -> Callable[[requests.Session], int]:
    api, _ = procore_api(sandbox)
    project_id = sandbox.admin("procore", "GET", "state")["projects"][0]["id"]
    url = f"{sandbox.procore_url}/rest/v1.1/requisitions"
    params = {"project_id": project_id, "per_page": per_page, "page": 1}

    def call(http: requests.Session) -> int:
        response = http.get(url, params=params, headers=api.headers, timeout=30)
        response.raise_for_status()
        return len(response.json())

    return call


def xero_lister(sandbox: SandboxProcess, page_size: int) -> Callable[[requests.Session], int]:
    api = xero_api(sandbox, sync_tenant_id(sandbox))
    url = f"{api.base_url}/Invoices"
    params = {"page": 1, "pageSize": page_size}

    def call(http: requests.Session) -> int:
        response = http.get(url, params=params, headers=api.headers, timeout=30)
        response.raise_for_status()
        return len(response.json()["Invoices"])

    return call


def throughput(call: Callable[[requests.Session], int], seconds: float, workers: int) -> tuple[float, float]:
    """Requests/s and records/s over ``seconds``, each worker on its own keep-alive session."""

    def worker(_: int) -> tuple[int, int]:
        http, calls, records = requests.Session(), 0, 0
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            records += call(http)
            calls += 1
        return calls, records

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(worker, range(workers)))
    elapsed = time.perf_counter() - started
    return sum(c for c, _ in results) / elapsed, sum(r for _, r in results) / elapsed


@dataclass
class Report:
    """Everything one ``make bench`` measures: the summary rows and the per-object tables behind them."""

    rows: list[Row] = field(default_factory=list)
    extract_calls: list[dict[str, Any]] = field(default_factory=list)
    sync_calls: list[dict[str, Any]] = field(default_factory=list)
    inbound_calls: list[dict[str, Any]] = field(default_factory=list)
    dag_parse: list[dict[str, Any]] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)
    scale: dict[str, dict[Any, Any]] = field(default_factory=dict)  # issue 17's figures by size

    def add(self, rows: list[BenchRow]) -> None:
        self.rows += [Row(*row) for row in rows]


def bench_throughput(sandbox: SandboxProcess, report: Report) -> None:
    """Requests/s each emulator serves for a paged list, on 1 and on 4 keep-alive clients."""
    cases = {
        "Procore requisitions, per_page=100": procore_lister(sandbox, 100),
        "Xero Invoices, pageSize=100": xero_lister(sandbox, 100),
    }
    for name, call in cases.items():
        for workers in (1, 4):
            req_s, rec_s = throughput(call, seconds=3.0, workers=workers)
            report.rows.append(
                Row("sandbox", f"{name}, {workers} client(s)", req_s, "req/s", f"{rec_s:,.0f} records/s")
            )


def bench_sandbox(report: Report, scales: list[float]) -> None:
    """Per seed scale: start-up, throughput (demo seed), extract, sync both ways, the per-record baseline
    (demo seed: it resets the sandbox), the emulators' own peak RSS."""
    for scale in scales:
        label = "demo seed" if scale == 1 else f"--scale {scale:g}"
        started = time.perf_counter()
        sandbox = start_sandbox(LOG_DIR / f"sandbox-scale{scale:g}.log", "--scale", f"{scale:g}")
        report.rows.append(Row("sandbox", f"start, {label}", time.perf_counter() - started, "s"))
        try:
            raise_limits(sandbox, RAISED_LIMITS)
            if scale == 1:
                bench_throughput(sandbox, report)
            summary, table = bench_extract(sandbox, label)
            report.add(
                [
                    (f"extract/{system}", case, value, unit, detail)
                    for system, case, value, unit, detail in summary
                ]
            )
            report.extract_calls += table
            quiet = quiet_hour(sandbox, label)
            calls = quiet["changes_calls"] + quiet["sweep_calls"]
            report.scale.setdefault("procore_quiet_hour_calls", {})[quiet["projects"]] = calls
            report.rows.append(
                Row("feeds", f"Procore calls of a quiet hour, {quiet['projects']} projects", calls, "calls")
            )
            summary, table, back, run = bench_sync(sandbox, label)
            report.add(summary)
            report.sync_calls += table
            report.inbound_calls += back
            if scale == 1:
                rows, report.baseline[label] = bench_baseline(sandbox, label, *run)
                report.add(rows)
                bench_xero_hours(sandbox, label, report)  # last: it authorises drafts in the sandbox
            assert sandbox.process is not None  # start_sandbox started it (None: another process did)
            report.rows.append(
                Row(
                    "sandbox",
                    f"peak RSS, {label}",
                    process_peak_mb(sandbox.process.pid),
                    "MB",
                    "both emulators",
                )
            )
        finally:
            sandbox.stop()


def bench_xero_hours(sandbox: SandboxProcess, label: str, report: Report) -> None:
    """Xero calls of a quiet hour and of an hour with invoice changes, polled vs delivery-driven."""
    figures = xero_figures(xero_hours(sandbox, label))
    report.scale.update(figures)
    quiet, changed = figures["xero_quiet_hour_calls"], figures["xero_changed_hour_calls"]
    report.rows += [
        Row(
            "feeds",
            f"Xero calls of a quiet hour, {label}",
            quiet["after"],
            "calls",
            f"polled: {quiet['before']}",
        ),
        Row(
            "feeds",
            f"Xero calls of an hour with {changed['changes']} invoice changes, {label}",
            changed["after"],
            "calls",
            f"polled: {changed['before']}",
        ),
    ]


def process_peak_mb(pid: int) -> float:
    """A running process's peak RSS (``VmHWM``)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:"))


def detail_rows(report: Report) -> list[Row]:
    """The per-object tables as rows of the one table: calls against the minimum, reruns."""
    rows = [
        Row(
            f"calls/{r['system']}",
            f"extract {r['object_type']}, {r['seed']}",
            r["calls"],
            "calls",
            f"minimum {r['minimum']:,}; no-change {r['incremental_calls']:,}",
        )
        for r in report.extract_calls
    ]
    rows += [
        Row(
            "calls/P->X",
            f"{LABELS[r['object']]}, {r['seed']}",
            r["writes"] + r["reads"],
            "calls",
            f"sent {r['sent']:,} (created {r['created']:,}, matched {r['matched']:,}, held {r['held']:,}); "
            f"writes {r['writes']:,} (minimum {r['minimum_writes']:,}), reads {r['reads']:,}; "
            f"rerun {r['rerun_writes']:,} writes, {r['rerun_reads']:,} reads",
        )
        for r in report.sync_calls
    ]
    return rows + [
        Row(
            "calls/X->P",
            f"{LABELS[r['object']]}, {r['seed']}",
            r["calls"],
            "calls",
            f"sent {r['sent']:,}, linked {r['linked']:,}, held {r['held']:,}; "
            f"minimum {r['minimum_calls']:,}; rerun {r['rerun_calls']:,}",
        )
        for r in report.inbound_calls
    ]


def print_table(rows: list[Row]) -> None:
    width = max(len(r.case) for r in rows)
    section = max(len(r.section) for r in rows)
    print(f"\n{'section':<{section}} {'case':<{width}} {'value':>12}  unit    detail")
    for r in rows:
        print(f"{r.section:<{section}} {r.case:<{width}} {r.value:>12,.2f}  {r.unit:<7} {r.detail}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    meminfo = Path("/proc/meminfo").read_text().split()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024**2, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", type=float, nargs="+", default=[1, 10], help="demo seed scales to run (default: 1 10)"
    )
    scales = parser.parse_args(argv).scales
    report = Report()
    started = time.perf_counter()
    print("Sandbox rate limits (Procore and Xero) are raised for the whole bench (POST /_sandbox/limits).")
    rows, report.dag_parse = bench_parse()
    report.add(rows)
    bench_sandbox(report, scales)
    simulated = simulated_quiet_hour(SIMULATED_PROJECTS)
    report.scale.setdefault("procore_quiet_hour_calls", {})[SIMULATED_PROJECTS] = simulated
    report.rows.append(
        Row(
            "feeds",
            f"Procore calls of a quiet hour, {SIMULATED_PROJECTS:,} projects",
            simulated,
            "calls",
            "simulated",
        )
    )
    airflow_rows, airflow_scale = bench_airflow(scales)
    report.add(airflow_rows)
    report.scale.update(airflow_scale)
    latency_rows, latency_scale = bench_latency(scales)
    report.add(latency_rows)
    report.scale.update(latency_scale)
    first_extract = report.scale["first_extract_limit_share"] = bench_first_extract(max(scales))
    report.add([bench_row(first_extract)])
    table = report.rows + detail_rows(report)
    table.append(Row("bench", "make bench wall time", time.perf_counter() - started, "s"))
    print_table(table)
    document: dict[str, Any] = {
        "machine": machine(),
        "rate_limits": "raised via POST /_sandbox/limits (but scale.first_extract_limit_share's)",
        "results": [asdict(r) for r in table],
        "extract_calls": report.extract_calls,
        "sync_calls": report.sync_calls,
        "inbound_calls": report.inbound_calls,
        "dag_parse": report.dag_parse,
        "baseline": report.baseline,
        "scale": report.scale,
    }
    write_bench(document)
    print(f"\nWrote {OUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
