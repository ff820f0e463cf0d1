"""``make bench``: the benchmark suite. Prints one table and writes ``out/bench.json``.

Sections: sandbox start-up per seed scale; emulator throughput for paged lists (the requests/s a client
can draw from each emulator on one keep-alive connection, and from 4 in parallel); the extract for the
demo seed and ``--scale 10`` (``tools/bench_extract.py``); and the Procore -> Xero sync of both from an
empty Xero crosswalk, then unchanged (``tools/bench_sync.py``), followed by money coming back from Xero
(``tools/bench_inbound.py``). The sandboxes' rate limits are raised for all
of it (``POST /_sandbox/limits``): the figures are the code's, not the throttles'.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import requests

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_extract import bench_extract, print_calls
from tools.bench_inbound import print_inbound_calls
from tools.bench_sync import bench_sync, print_sync_calls
from tools.extract_env import RAISED_LIMITS, raise_limits

OUT = REPO_ROOT / "out" / "bench.json"
LOG_DIR = REPO_ROOT / "out" / "bench-logs"


@dataclass
class Row:
    section: str
    case: str
    value: float
    unit: str
    detail: str = ""


def procore_lister(sandbox: SandboxProcess, per_page: int) -> Callable[[requests.Session], int]:
    creds = sandbox.admin("procore", "GET", "credentials")
    client = creds["clients"][0]
    token = requests.post(
        f"{sandbox.procore_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
        timeout=10,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(creds["company_id"])}
    project_id = sandbox.admin("procore", "GET", "state")["projects"][0]["id"]
    url = f"{sandbox.procore_url}/rest/v1.1/requisitions"
    params = {"project_id": project_id, "per_page": per_page, "page": 1}

    def call(http: requests.Session) -> int:
        response = http.get(url, params=params, headers=headers, timeout=30)
        response.raise_for_status()
        return len(response.json())

    return call


def xero_lister(sandbox: SandboxProcess, page_size: int) -> Callable[[requests.Session], int]:
    creds = sandbox.admin("xero", "GET", "credentials")
    app = next(a for a in creds["apps"] if a.get("refresh_token"))
    grant = requests.post(
        f"{sandbox.xero_url}/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": app["refresh_token"]},
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    ).json()
    headers = {
        "Authorization": f"Bearer {grant['access_token']}",
        "xero-tenant-id": app["tenant_ids"][0],
        "Accept": "application/json",
    }
    url = f"{sandbox.xero_url}/api.xro/2.0/Invoices"
    params = {"page": 1, "pageSize": page_size}

    def call(http: requests.Session) -> int:
        response = http.get(url, params=params, headers=headers, timeout=30)
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


def bench_sandbox(
    rows: list[Row],
    calls_table: list[dict[str, Any]],
    sync_table: list[dict[str, Any]],
    inbound_table: list[dict[str, Any]],
) -> None:
    for scale in (1, 10):
        started = time.perf_counter()
        sandbox = start_sandbox(LOG_DIR / f"sandbox-scale{scale}.log", "--scale", str(scale))
        rows.append(Row("sandbox", f"start, demo seed --scale {scale}", time.perf_counter() - started, "s"))
        try:
            raise_limits(sandbox, RAISED_LIMITS)
            if scale == 1:
                cases = {
                    "Procore requisitions, per_page=100": procore_lister(sandbox, 100),
                    "Xero Invoices, pageSize=100": xero_lister(sandbox, 100),
                }
                for name, call in cases.items():
                    for workers in (1, 4):
                        req_s, rec_s = throughput(call, seconds=3.0, workers=workers)
                        rows.append(
                            Row(
                                "sandbox",
                                f"{name}, {workers} client(s)",
                                req_s,
                                "req/s",
                                f"{rec_s:,.0f} records/s",
                            )
                        )
            label = "demo seed" if scale == 1 else f"--scale {scale}"
            summary, table = bench_extract(sandbox, label)
            rows += [Row(f"extract/{system}", *rest) for system, *rest in summary]
            calls_table += table
            summary, table, back = bench_sync(sandbox, label)
            rows += [Row(*row) for row in summary]
            sync_table += table
            inbound_table += back
        finally:
            sandbox.stop()


def print_table(rows: list[Row]) -> None:
    width = max(len(r.case) for r in rows)
    print(f"\n{'section':<15} {'case':<{width}} {'value':>12}  unit    detail")
    for r in rows:
        print(f"{r.section:<15} {r.case:<{width}} {r.value:>12,.2f}  {r.unit:<7} {r.detail}")


def main() -> int:
    rows: list[Row] = []
    calls_table: list[dict[str, Any]] = []
    sync_table: list[dict[str, Any]] = []
    inbound_table: list[dict[str, Any]] = []
    print("Sandbox rate limits (Procore and Xero) are raised for the whole bench (POST /_sandbox/limits).")
    bench_sandbox(rows, calls_table, sync_table, inbound_table)
    print_table(rows)
    print_calls(calls_table)
    print_sync_calls(sync_table)
    print_inbound_calls(inbound_table)
    document: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "rate_limits": "raised via POST /_sandbox/limits",
        "results": [asdict(r) for r in rows],
        "extract_calls": calls_table,
        "sync_calls": sync_table,
        "inbound_calls": inbound_table,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, indent=1), encoding="utf-8")
    print(f"\nWrote {OUT.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
