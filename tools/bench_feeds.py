"""``make bench``'s change-feed figures: Procore calls of a quiet hour, event-driven (issue 17); Xero calls
of a quiet hour and of an hour with three invoice changes, polled (before) and delivery-driven (after).

A quiet hour is one run of the change-driven read (no delivery arrived: no call) and the reconciliation
sweep an hour after everything was read, on the staging database the extract section left (its full read
of the seed). 1,000 projects are a call-count simulation of the sweep's own planner (``plan_sweep``) on
1,000 projects read an hour ago: on a quiet hour each planned read is one call, as measured at 25 and 250.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from sandbox.process import REPO_ROOT, SandboxProcess, free_port, start_sandbox
from tools.bench_extract import WORK_DIR, in_fresh_process, procore_client, procore_run, xero_client
from tools.extract_env import RAISED_LIMITS, extract_env, patched_environ, raise_limits, sandbox_now
from tools.intake_process import XERO_KEY_ENV, running_intake

SIMULATED_PROJECTS = 1000
XERO_CHANGES = 3
LOG_DIR = REPO_ROOT / "out" / "bench-logs"


def feed_settings() -> Any:
    from procore_xero.extract.feeds import FeedSettings
    from procore_xero.mapping.spec import load_spec

    return FeedSettings.from_feeds(load_spec().settings.feeds)


def measure_quiet_hour(env: dict[str, str], until: datetime) -> dict[str, int]:
    """In a fresh process, on a fully staged database: the change read, then the sweep an hour later."""
    from procore_xero.extract.changes import read_changes
    from procore_xero.extract.procore import staged_project_ids
    from procore_xero.extract.sweep import run_sweep
    from procore_xero.staging import TaskTry, open_staging
    from procore_xero.staging.timestamps import utc_now

    os.environ.update(env)
    engine, client, feeds = open_staging(), procore_client(env), feed_settings()
    run = TaskTry("bench", "quiet-hour", "feeds")
    changes = read_changes(client, engine, feeds, task_try=run, window_end=until)
    an_hour_on = utc_now() + timedelta(hours=1)
    sweep = run_sweep(client, engine, feeds, task_try=run, window_end=until, now=an_hour_on)
    return {
        "projects": len(staged_project_ids(engine, client.company_id)),
        "changes_calls": changes["api_calls"],
        "sweep_calls": sweep["api_calls"],
    }


def quiet_hour(sandbox: SandboxProcess, label: str) -> dict[str, int]:
    """On a copy of the extract section's staging database for ``label`` (SQLite backup: it is in WAL)."""
    source, target = WORK_DIR / f"{label}-procore.db", WORK_DIR / f"{label}-feeds.db"
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)
    env = extract_env(sandbox, f"sqlite:///{target}")
    return in_fresh_process(measure_quiet_hour, env, sandbox_now(sandbox))


def simulated_quiet_hour(projects: int) -> int:
    """Planned sweep reads for ``projects`` projects all read an hour ago (one call each when quiet)."""
    from procore_xero.extract.sweep import all_slots, plan_sweep
    from procore_xero.staging.timestamps import utc_now

    now = utc_now()
    slots = all_slots(range(1, projects + 1))
    return len(plan_sweep(slots, dict.fromkeys(slots, now - timedelta(hours=1)), feed_settings(), now))


def measure_xero_hours(env: dict[str, str], xero_url: str, intake_url: str) -> dict[str, Any]:
    """In a fresh process, the intake running on ``env``'s staging database: the tenant read whole, then
    the calls of each hour. Before: the hourly poll of every type, quiet and after three invoices changed.
    After: the hourly run of the types due an hour on (no delivery pending), the delivery-driven run of
    three changed invoices plus that hour's scheduled run, and the day's run that re-reads everything."""
    import requests

    from procore_xero.events.store import pending_deliveries
    from procore_xero.extract.account import extract_xero_account
    from procore_xero.extract.feeds import XeroFeedSettings
    from procore_xero.extract.xero_changes import due_xero_types, read_xero_changes
    from procore_xero.mapping.spec import load_spec
    from procore_xero.staging import TaskTry, open_staging
    from procore_xero.staging.timestamps import utc_now

    os.environ.update(env)
    engine = open_staging()
    client, run = xero_client(env, engine), TaskTry("bench", "xero-hours", "extract")
    feeds = XeroFeedSettings.from_feeds(load_spec().settings.feeds)
    tenant = str(client.tenant_id)

    def calls(*reads: Any) -> int:
        before = client.api.calls.total
        for read in reads:
            read()
        return client.api.calls.total - before

    def poll() -> None:
        extract_xero_account(client, engine, task_try=run)

    def scheduled(hours_on: float) -> None:
        due = due_xero_types(engine, tenant, feeds, utc_now() + timedelta(hours=hours_on))
        extract_xero_account(client, engine, task_try=run, object_types=due)

    def deliveries() -> None:
        read_xero_changes(client, engine, feeds, task_try=run)

    def change_invoices() -> None:
        drafts = [i for page in client.pages("Invoices", {"Statuses": "DRAFT"}) for i in page]
        changed = [{"InvoiceID": i["InvoiceID"], "Status": "AUTHORISED"} for i in drafts[:XERO_CHANGES]]
        client.save("Invoices", changed, method="POST")

    poll()  # the first full read
    figures = {"before_quiet": calls(poll)}
    change_invoices()
    figures["before_changed"] = calls(poll)
    answer = requests.post(
        f"{xero_url}/_sandbox/webhooks",
        json={"url": f"{intake_url}/xero", "key": env[XERO_KEY_ENV]},
        timeout=30,
    )
    assert answer.json()["status"] == "OK", answer.text
    figures["after_quiet"] = calls(deliveries, lambda: scheduled(1))
    change_invoices()
    requests.post(f"{xero_url}/_sandbox/webhooks/deliver", timeout=30).raise_for_status()
    while len(pending_deliveries(engine, "xero", tenant)) < XERO_CHANGES:
        time.sleep(0.1)
    figures["delivery_read"] = calls(deliveries)
    figures["after_changed"] = figures["delivery_read"] + calls(lambda: scheduled(2))
    figures["after_daily_check"] = calls(deliveries, lambda: scheduled(24))
    return figures


def xero_hours(sandbox: SandboxProcess, label: str) -> dict[str, int]:
    """``measure_xero_hours`` on a fresh staging file, the real intake process (``tools.intake_process``)
    storing the sandbox's signed deliveries into it."""
    from procore_xero.staging import create_staging_engine, ensure_schema

    database = WORK_DIR / f"{label}-xero-feeds.db"
    database.unlink(missing_ok=True)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    env = {**extract_env(sandbox, f"sqlite:///{database}"), XERO_KEY_ENV: secrets.token_urlsafe(32)}
    ensure_schema(create_staging_engine(env["STAGING_DB_URL"]))
    port = free_port()
    with running_intake({**os.environ, **env}, port, LOG_DIR / "xero-intake.log"):
        return in_fresh_process(measure_xero_hours, env, sandbox.xero_url, f"http://127.0.0.1:{port}")


def xero_figures(hours: dict[str, int]) -> dict[str, Any]:
    """The ``scale`` entry: a quiet hour and a three-change hour, before and after (calls)."""
    return {
        "xero_quiet_hour_calls": {
            "before": hours["before_quiet"],
            "after": hours["after_quiet"],
            "after_daily_check": hours["after_daily_check"],
        },
        "xero_changed_hour_calls": {
            "changes": XERO_CHANGES,
            "before": hours["before_changed"],
            "after": hours["after_changed"],
            "delivery_read": hours["delivery_read"],
        },
    }


def stage_full(sandbox: SandboxProcess, label: str) -> None:
    """What the extract section leaves: the seed read whole into ``<label>-procore.db`` (standalone runs)."""
    database = WORK_DIR / f"{label}-procore.db"
    database.unlink(missing_ok=True)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    env = extract_env(sandbox, f"sqlite:///{database}")
    with patched_environ(env):
        in_fresh_process(procore_run, env, sandbox_now(sandbox), None)


def main(argv: list[str] | None = None) -> int:
    """Standalone: ``python -m tools.bench_feeds --scales 1 10`` prints ``procore_quiet_hour_calls``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    figures: dict[int, int] = {}
    xero: dict[str, Any] = {}
    for scale in parser.parse_args(argv).scales:
        label = "demo seed" if scale == 1 else f"--scale {scale:g}"
        sandbox = start_sandbox(LOG_DIR / f"feeds-scale{scale:g}.log", "--scale", f"{scale:g}", timeout=600)
        try:
            raise_limits(sandbox, RAISED_LIMITS)
            stage_full(sandbox, label)
            result = quiet_hour(sandbox, label)
            print(label, result)
            figures[result["projects"]] = result["changes_calls"] + result["sweep_calls"]
            if scale == 1:
                xero = xero_figures(xero_hours(sandbox, label))
        finally:
            sandbox.stop()
    figures[SIMULATED_PROJECTS] = simulated_quiet_hour(SIMULATED_PROJECTS)
    print(json.dumps({"procore_quiet_hour_calls": figures, **xero}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
