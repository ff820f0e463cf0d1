"""``make bench``'s "extract" section: full and no-change incremental extracts through the library functions
(not the DAGs), each system in a fresh process so its peak RSS is its own; API calls against the minimum.

The minimum is records ÷ max page size, rounded up, per list the API makes us read (one per project for
project-scoped Procore types, one per staged parent for nested ones: commitments, budget views).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from procore_xero.clients.procore import MAX_PER_PAGE
from procore_xero.clients.xero import MAX_PAGE_SIZE
from procore_xero.extract.specs import (
    COMMITMENT_TYPES,
    COMPANY_SCOPED,
    PROCORE_SPECS,
    PROJECT_SCOPED,
    XERO_SPECS,
)
from sandbox.process import REPO_ROOT, SandboxProcess
from sandbox.procore.store import project_of_records
from tools.bench_http import sync_tenant_id
from tools.bench_out import BenchRow
from tools.extract_env import extract_env, sandbox_now, staged_counts

WORK_DIR = REPO_ROOT / "out" / "bench-extract"
T = TypeVar("T")
STATE_COLLECTION = {"budget_view_detail_rows": "budget_line_items"}  # one detail row per budget line


def pages(records: int) -> int:
    """Calls to read one list: at least one, even when it is empty."""
    return max(1, math.ceil(records / MAX_PER_PAGE))


def procore_minimum(state: dict[str, Any], name: str) -> int:
    """The fewest calls that can read one Procore object type of the seed."""
    spec = PROCORE_SPECS[name]
    collection = STATE_COLLECTION.get(name, name)
    records = state[collection]
    if not spec.project_scoped:
        return pages(len(records))
    project_of = project_of_records(state)
    per_key: Counter[Any] = Counter(project_of(collection, r) for r in records)
    if name == "contract_payments":  # listed per commitment (contract_id required): the billed ones
        billed = Counter(r["commitment_id"] for r in state["requisitions"])
        per_contract: Counter[Any] = Counter(r["contract_id"] for r in records)
        return sum(pages(per_contract[c]) for c in billed)
    if name == "prime_contract_line_items":  # one list per prime contract
        per_prime: Counter[Any] = Counter(r["contract_id"] for r in records)
        return sum(pages(per_prime[c["id"]]) for c in state["prime_contracts"])
    if name == "payment_applications":  # the list per project, then each one's show (G703 lines)
        return len(state["projects"]) + len(records)
    if name == "commitment_line_items":  # one show per commitment embeds all its lines
        return sum(1 for t in COMMITMENT_TYPES for c in state[t] if not c.get("deleted_at"))
    if name == "budget_view_detail_rows":  # each view lists its project's rows
        return sum(pages(per_key[project_of("budget_views", view)]) for view in state["budget_views"])
    if not spec.paged:  # one call answers the whole list
        return len(state["projects"])
    return sum(pages(per_key[p["id"]]) for p in state["projects"])


def xero_minimum(tenant: dict[str, Any], name: str) -> int:
    spec = XERO_SPECS[name]
    return max(1, math.ceil(len(tenant[spec.endpoint]) / MAX_PAGE_SIZE)) if spec.paged else 1


def connection(env: dict[str, str], name: str) -> dict[str, Any]:
    return json.loads(env[f"AIRFLOW_CONN_{name.upper()}"])


def procore_run(
    env: dict[str, str], until: datetime, since: datetime | None, conn_id: str = "procore_default"
) -> list[dict[str, Any]]:
    """Every Procore type of ``conn_id``'s company: company-scoped ones, then project-scoped ones per
    staged project."""
    from procore_xero.extract.procore import extract_procore, staged_project_ids
    from procore_xero.staging import TaskTry, open_staging

    engine, client = open_staging(), procore_client(env, conn_id)
    run = TaskTry("bench", f"bench-{since}", "extract")

    def one(name: str, project_id: int | None = None) -> dict[str, Any]:
        return extract_procore(
            client, engine, name, task_try=run, window_start=since, window_end=until, project_id=project_id
        )

    results = [one(name) for name in COMPANY_SCOPED]
    projects = staged_project_ids(engine, client.company_id)
    return results + [one(name, project) for name in PROJECT_SCOPED for project in projects]


def procore_client(env: dict[str, str], conn_id: str = "procore_default") -> Any:
    """A ``ProcoreClient`` for the ``conn_id`` connection in ``env`` (client credentials)."""
    from procore_xero.clients import ClientCredentialsProvider, ProcoreClient, TokenEndpoint

    conn = connection(env, conn_id)
    auth = ClientCredentialsProvider(
        TokenEndpoint(conn["extra"]["token_url"], conn["login"], conn["password"], client_auth="form")
    )
    return ProcoreClient(conn["host"], auth, int(conn["extra"]["company_id"]))


def xero_client(env: dict[str, str], engine: Any) -> Any:
    """A ``XeroClient`` for the ``xero_default`` connection in ``env``, its tokens kept in staging: a rotating
    refresh token (OAuth app), or with ``grant_type`` ``client_credentials`` a custom connection's token."""
    from procore_xero.clients import (
        ClientCredentialsProvider,
        RefreshTokenProvider,
        SqlTokenStore,
        TokenEndpoint,
        XeroClient,
    )

    conn = connection(env, "xero_default")
    extra = conn["extra"]
    endpoint = TokenEndpoint(extra["token_url"], conn["login"], conn["password"], client_auth="basic")
    store = SqlTokenStore(engine)
    auth = (
        ClientCredentialsProvider(endpoint, store=store, store_key="xero:bench")
        if extra.get("grant_type") == "client_credentials"
        else RefreshTokenProvider(endpoint, store, "xero:bench", initial_refresh_token=extra["refresh_token"])
    )
    return XeroClient(conn["host"], auth, extra["tenant_id"])


def xero_run(env: dict[str, str], until: datetime, since: datetime | None) -> list[dict[str, Any]]:
    """Every Xero type of the connection's tenant."""
    from procore_xero.extract.xero import extract_xero
    from procore_xero.staging import TaskTry, open_staging

    engine = open_staging()
    client = xero_client(env, engine)
    run = TaskTry("bench", f"bench-{since}", "extract")
    return [extract_xero(client, engine, name, task_try=run, window_start=since) for name in XERO_SPECS]


RUNNERS: dict[str, Callable[[dict[str, str], datetime, datetime | None], list[dict[str, Any]]]] = {
    "procore": procore_run,
    "xero": xero_run,
}


def calls_by_type(results: list[dict[str, Any]]) -> dict[str, int]:
    calls: defaultdict[str, int] = defaultdict(int)
    for result in results:
        calls[result["object_type"]] += result["api_calls"]
    return dict(calls)


def measure(system: str, env: dict[str, str], until: datetime) -> dict[str, Any]:
    """In a fresh process: a full extract, then a no-change incremental one; times, calls, rows, peak RSS."""
    os.environ.update(env)
    started = time.perf_counter()
    full = RUNNERS[system](env, until, None)
    seconds = time.perf_counter() - started
    incremental = RUNNERS[system](env, until, until)
    rows = staged_counts(env["STAGING_DB_URL"], system, sorted({r["object_type"] for r in full}))
    return {
        "seconds": seconds,
        "rows": sum(rows.values()),
        "full_calls": calls_by_type(full),
        "incremental_calls": calls_by_type(incremental),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's own peak RSS: ``VmHWM`` starts afresh at exec, unlike ``getrusage``'s ``ru_maxrss``,
    which Linux carries over from the parent that forked it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_system(sandbox: SandboxProcess, system: str, label: str) -> dict[str, Any]:
    """``measure`` in a spawned process against an empty SQLite staging database."""
    database = WORK_DIR / f"{label}-{system}.db"
    database.unlink(missing_ok=True)
    env = extract_env(sandbox, f"sqlite:///{database}")
    return in_fresh_process(measure, system, env, sandbox_now(sandbox))


def in_fresh_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a spawned process (its own imports and peak RSS); its result."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def minimums(sandbox: SandboxProcess) -> dict[str, dict[str, int]]:
    procore = sandbox.admin("procore", "GET", "state")
    xero_state = sandbox.admin("xero", "GET", "state")["tenants"]
    tenant_id = sync_tenant_id(sandbox)
    return {
        "procore": {name: procore_minimum(procore, name) for name in PROCORE_SPECS},
        "xero": {name: xero_minimum(xero_state[tenant_id], name) for name in XERO_SPECS},
    }


def bench_extract(sandbox: SandboxProcess, label: str) -> tuple[list[BenchRow], list[dict]]:
    """Summary rows ``(case, value, unit, detail)`` and the per-object-type calls table for one seed."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    least = minimums(sandbox)
    summary: list[BenchRow] = []
    table: list[dict[str, Any]] = []
    for system in RUNNERS:
        result = run_system(sandbox, system, label)
        calls, minimum = sum(result["full_calls"].values()), sum(least[system].values())
        summary += [
            (system, f"full extract, {label}", result["seconds"], "s", f"{result['rows']:,} rows"),
            (system, f"rows/s into staging, {label}", result["rows"] / result["seconds"], "rows/s", ""),
            (
                system,
                f"API calls, {label}",
                calls,
                "calls",
                f"minimum {minimum:,} ({calls / minimum - 1:+.1%})",
            ),
            (
                system,
                f"no-change incremental, {label}",
                sum(result["incremental_calls"].values()),
                "calls",
                "",
            ),
            (system, f"peak RSS, {label}", result["peak_rss_mb"], "MB", "VmHWM of the extracting process"),
        ]
        table += [
            {
                "seed": label,
                "system": system,
                "object_type": name,
                "calls": result["full_calls"].get(name, 0),
                "minimum": least[system][name],
                "incremental_calls": result["incremental_calls"].get(name, 0),
            }
            for name in least[system]
        ]
    return summary, table
