"""Two processes refreshing the same Xero connection at once: one refresh, both succeed, no invalid_grant."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from procore_xero.clients import SqlTokenStore, TokenCipher, XeroClient
from procore_xero.staging.engine import create_staging_engine
from sandbox.process import SandboxProcess
from tests.integration.conftest import xero_refresh_provider


def refresh_in_a_process(
    db_url: str,
    key: bytes,
    xero_url: str,
    app: dict[str, Any],
    tenant_id: str,
    staging_engine: bool,
    start: Any,
    results: Any,
) -> None:
    engine = create_staging_engine(db_url) if staging_engine else create_engine(db_url)
    store = SqlTokenStore(engine, TokenCipher(key))
    provider = xero_refresh_provider(xero_url, app, store, tenant_id)
    start.wait()
    client = XeroClient(xero_url, provider, tenant_id)
    tenants = [c["tenantId"] for c in client.connections()]
    results.put((provider.access_token(), provider.grants, provider.adopted, tenant_id in tenants))


def run_two(sandbox: SandboxProcess, tmp_path: Path, staging_engine: bool) -> list[tuple]:
    creds = sandbox.admin("xero", "GET", "credentials")
    app, tenant_id = creds["apps"][0], creds["tenants"][0]["tenant_id"]
    key = Fernet.generate_key()
    tmp_path.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{tmp_path / 'staging.db'}"
    SqlTokenStore(create_engine(db_url), TokenCipher(key)).create_table()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(
            target=refresh_in_a_process,
            args=(db_url, key, sandbox.xero_url, app, tenant_id, staging_engine, start, results),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    # the stored (rotated) token still works for a process that starts later, once the access token expired
    later = xero_refresh_provider(
        sandbox.xero_url,
        app,
        SqlTokenStore(create_engine(db_url), TokenCipher(key)),
        tenant_id,
        clock=lambda: 4_000_000_000.0,
    )
    assert XeroClient(sandbox.xero_url, later, tenant_id).connections()
    assert later.grants == 1
    return outcomes


def test_concurrent_refreshes_rotate_once_and_both_processes_succeed(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    for staging_engine in (False, True):
        sandbox.admin("xero", "DELETE", "stats")
        outcomes = run_two(sandbox, tmp_path / str(staging_engine), staging_engine)
        tokens = {o[0] for o in outcomes}
        assert len(tokens) == 1  # both use the one access token the single refresh produced
        assert sorted((o[1], o[2]) for o in outcomes) == [(0, 1), (1, 0)]  # one refreshed, one adopted
        assert all(o[3] for o in outcomes)
        seen = sandbox.admin("xero", "GET", "stats")
        assert seen["calls"]["POST /connect/token"] == 2  # the race's one refresh + the later process's
        assert "400" not in seen["statuses"] and "401" not in seen["statuses"]  # no invalid_grant
