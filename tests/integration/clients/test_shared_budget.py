"""Two processes calling for one Xero tenant (a backfill beside an hourly run) share its rate limits through
the staging database: at Xero's real minute limit they spend the whole minute and the emulator answers no
429; the daily limit and Procore's hourly limit stop both processes before the server has to refuse.

Real time (the sandbox clock at speed 1): the minute test takes a little over a minute.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from procore_xero.clients import (
    ClientCredentialsProvider,
    DailyLimitReached,
    ProcoreClient,
    RateLimitExhausted,
    SqlTokenStore,
    TokenCipher,
    TokenEndpoint,
    XeroClient,
)
from procore_xero.clients.shared_budget import procore_budget, xero_budget
from procore_xero.staging.engine import create_staging_engine
from sandbox.process import SandboxProcess
from tests.integration.conftest import xero_refresh_provider

MINUTE = 60


def xero_client(db_url: str, key: bytes, sandbox: dict[str, Any], daily_limit: int) -> XeroClient:
    engine = create_staging_engine(db_url)
    tenant_id = sandbox["tenant_id"]
    auth = xero_refresh_provider(
        sandbox["url"], sandbox["app"], SqlTokenStore(engine, TokenCipher(key)), tenant_id
    )
    shared = xero_budget(engine, tenant_id, daily_limit=daily_limit)
    return XeroClient(sandbox["url"], auth, tenant_id, shared=shared)


def procore_client(db_url: str, key: bytes, sandbox: dict[str, Any]) -> ProcoreClient:
    engine = create_staging_engine(db_url)
    app = sandbox["app"]
    endpoint = TokenEndpoint(
        f"{sandbox['url']}/oauth/token", app["client_id"], app["client_secret"], client_auth="form"
    )
    store = SqlTokenStore(engine, TokenCipher(key))
    auth = ClientCredentialsProvider(endpoint, store=store, store_key=f"procore:{sandbox['company_id']}")
    shared = procore_budget(engine, app["client_id"])
    # Header pacing spreads the hour's last 10 % over the time left (half an hour here): not this test's
    # subject, so its sleeps are only counted; the shared budget refuses without sleeping.
    return ProcoreClient(sandbox["url"], auth, sandbox["company_id"], shared=shared, sleep=lambda _: None)


def hammer(
    service: str, db_url: str, key: bytes, sandbox: dict[str, Any], calls: int, start: Any, results: Any
) -> None:
    try:
        results.put(calls_in_a_process(service, db_url, key, sandbox, calls, start))
    except BaseException:
        results.put(traceback.format_exc())
        raise


def calls_in_a_process(
    service: str, db_url: str, key: bytes, sandbox: dict[str, Any], calls: int, start: Any
) -> tuple[list[float], float, tuple | None]:
    """Make ``calls`` GETs as fast as the shared budget lets; report answer times, waits and the stop."""
    client: XeroClient | ProcoreClient
    if service == "xero":
        client = xero_client(db_url, key, sandbox, sandbox.get("daily_limit", 5000))
        call = lambda: client.get("Organisation")  # noqa: E731
    else:
        client = procore_client(db_url, key, sandbox)
        call = lambda: client.get("/rest/v1.0/projects", {"company_id": sandbox["company_id"]})  # noqa: E731
    start.wait()
    answered: list[float] = []
    stopped = None
    try:
        for _ in range(calls):
            call()
            answered.append(time.time())
    except (DailyLimitReached, RateLimitExhausted) as limit:
        stopped = (type(limit).__name__, limit.limit, limit.resets_at.timestamp() - time.time())
    return answered, client.api.throttle.waited_seconds, stopped


def run_two(service: str, sandbox: dict[str, Any], tmp_path: Path, calls: int) -> list[tuple]:
    db_url = f"sqlite:///{tmp_path / 'staging.db'}"
    key = Fernet.generate_key()
    SqlTokenStore(create_staging_engine(db_url), TokenCipher(key)).create_table()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=hammer, args=(service, db_url, key, sandbox, calls, start, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    assert not [o for o in outcomes if isinstance(o, str)], outcomes  # a worker's traceback
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    return outcomes


def busiest(times: list[float], seconds: float) -> int:
    """The most answers within any ``seconds``."""
    ordered = sorted(times)
    return max(
        (sum(1 for t in ordered[i:] if t - first < seconds) for i, first in enumerate(ordered)), default=0
    )


def xero_sandbox(sandbox: SandboxProcess, **extra: Any) -> dict[str, Any]:
    creds = sandbox.admin("xero", "GET", "credentials")
    app = next(a for a in creds["apps"] if a.get("refresh_token"))
    return {"url": sandbox.xero_url, "app": app, "tenant_id": app["tenant_ids"][0], **extra}


def test_two_processes_share_the_xero_minute_limit_without_a_429(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    assert sandbox.admin("xero", "GET", "limits")["tenants"]
    sandbox.admin("xero", "DELETE", "stats")
    per_process = 40  # 80 calls: more than one minute's 60
    started = time.time()
    outcomes = run_two("xero", xero_sandbox(sandbox), tmp_path, per_process)
    elapsed = time.time() - started
    answered = [t for times, _, _ in outcomes for t in times]
    stats = sandbox.admin("xero", "GET", "stats")
    assert [len(times) for times, _, _ in outcomes] == [per_process, per_process]
    assert (
        stats["throttled_total"] == 0 and stats["calls"]["GET /api.xro/2.0/Organisation"] == 2 * per_process
    )
    assert 55 <= busiest(answered, MINUTE) <= MINUTE  # the minute's budget is spent, never exceeded
    assert elapsed > MINUTE  # the 61st call waited for the window
    waits = [round(waited, 1) for _, waited, _ in outcomes]
    most = busiest(answered, MINUTE)
    print(f"\nxero minute: {len(answered)} calls in {elapsed:.1f} s, busiest minute {most}, waits {waits}")


def test_the_daily_limit_stops_both_processes_before_xero_refuses(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    target = xero_sandbox(sandbox, daily_limit=10)
    sandbox.admin("xero", "POST", "limits", {"tenant_id": target["tenant_id"], "daily": 10})
    sandbox.admin("xero", "DELETE", "stats")
    outcomes = run_two("xero", target, tmp_path, 8)
    stats = sandbox.admin("xero", "GET", "stats")
    assert sum(len(times) for times, _, _ in outcomes) == 10 and stats["throttled_total"] == 0
    stops = [stopped for _, _, stopped in outcomes if stopped]
    assert stops and all(name == "DailyLimitReached" and limit == "daily" for name, limit, _ in stops)
    assert all(23.9 * 3600 < resets_in <= 24 * 3600 + 2 for _, _, resets_in in stops)


@pytest.mark.parametrize("hourly", [12])
def test_procore_hourly_limit_is_shared_as_its_headers_state_it(
    sandbox: SandboxProcess, tmp_path: Path, hourly: int
) -> None:
    creds = sandbox.admin("procore", "GET", "credentials")
    sandbox.admin("procore", "POST", "limits", {"hourly": hourly, "spike": 1000})
    sandbox.admin("procore", "DELETE", "stats")
    target = {"url": sandbox.procore_url, "app": creds["clients"][0], "company_id": creds["company_id"]}
    outcomes = run_two("procore", target, tmp_path, 10)
    stats = sandbox.admin("procore", "GET", "stats")
    assert sum(len(times) for times, _, _ in outcomes) == hourly and stats["throttled_total"] == 0
    stops = [stopped for _, _, stopped in outcomes if stopped]
    assert stops and all(name == "RateLimitExhausted" and limit == "hourly" for name, limit, _ in stops)
