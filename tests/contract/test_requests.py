"""Every request the sync sends to Procore, as the emulator received it, against the published operation:
the real extract (full, then incremental), Procore -> Xero up to the bills, the controller's month end in
Xero, and every Xero -> Procore step (a payment POST whose answer is lost included) run through the
library on a fresh SQLite staging database; then the emulator's request log (``GET /_sandbox/requests``)
is checked."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.process import SandboxProcess
from sandbox.scenario import run_month_end
from tests.contract.published import Contract
from tests.contract.ratchet import ratchet
from tests.contract.validate import Deviation, check_request
from tools.bench_extract import procore_client, procore_run, xero_run
from tools.bench_inbound import inbound_pass
from tools.bench_sync import BILL_STEPS, sync_context, sync_one
from tools.extract_env import extract_env, patched_environ, sandbox_now, settings_file

LOST_PAYMENT = {"kind": "drop_after_write", "path": "/contract_payments$", "method": "POST", "count": 1}


def sync_requests(sandbox: SandboxProcess, tmp_path: Path) -> list[dict[str, Any]]:
    """The Procore requests of one day's sync, from an empty staging database."""
    settings = settings_file(tmp_path / "settings.yaml", xero_purchase_orders=True)
    env = {
        **extract_env(sandbox, f"sqlite:///{tmp_path / 'staging.db'}"),
        "PXSYNC_DATA_DIR": str(tmp_path / "data"),
        "PXSYNC_SETTINGS": str(settings),
    }
    sandbox.admin("procore", "DELETE", "requests")
    with patched_environ(env):
        now = sandbox_now(sandbox)
        procore_run(env, now, None)
        procore_run(env, now + timedelta(hours=1), now)
        feed_cycle(env, now + timedelta(hours=2))
        context, run_ids = sync_context(env), {}
        for step in BILL_STEPS:  # what the payments coming back are paid against
            for source_type, links in sync_one(context, step, run_ids, "contract")["ids"].items():
                run_ids.setdefault(source_type, {}).update(links)
        run_month_end(sandbox.xero_url)
        xero_run(env, now, None)
        sandbox.admin("procore", "POST", "faults", LOST_PAYMENT)
        inbound_pass(env, "contract-inbound")
    log = sandbox.admin("procore", "GET", "requests")
    assert log["dropped"] == 0, log["dropped"]
    return [r for r in log["requests"] if r["path"].startswith("/rest/")]


def feed_cycle(env: dict[str, str], until: datetime) -> None:
    """Hook registration (twice: the second only lists), the change read and the sweep a week on."""
    from procore_xero.events.registration import ensure_procore_hook
    from procore_xero.extract.changes import read_changes
    from procore_xero.extract.feeds import FeedSettings
    from procore_xero.extract.sweep import run_sweep
    from procore_xero.mapping.spec import load_spec
    from procore_xero.staging import TaskTry, open_staging
    from procore_xero.staging.timestamps import utc_now

    client, engine = procore_client(env), open_staging()
    feeds = FeedSettings.from_feeds(load_spec().settings.feeds)
    for _ in range(2):
        ensure_procore_hook(client, "http://127.0.0.1:9/procore", "contract-test-token", feeds.triggers())
    run = TaskTry("contract", "feeds", "feeds")
    read_changes(client, engine, feeds, task_try=run, window_end=until)
    run_sweep(client, engine, feeds, task_try=run, window_end=until, now=utc_now() + timedelta(days=8))


def test_sync_requests_are_published(unlimited: SandboxProcess, published: Contract, tmp_path: Path) -> None:
    sent = sync_requests(unlimited, tmp_path)
    kinds = Counter(f"{r['method']} {r['route']}" for r in sent)
    writes = {k: n for k, n in kinds.items() if not k.startswith("GET ")}
    assert sum(kinds.values()) > 500 and len(writes) >= 3, kinds  # reads and writes were both recorded
    found: set[Deviation] = set()
    for request in sent:
        found |= check_request(
            published,
            request["method"],
            request["path"],
            request["route"],
            [tuple(pair) for pair in request["query"]],
            request["body"],
        )
    ratchet(published, "requests", found)
