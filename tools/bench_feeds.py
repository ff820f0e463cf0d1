"""``make bench``'s change-feed figures: Procore calls of a quiet hour, event-driven (issue 17).

A quiet hour is one run of the change-driven read (no delivery arrived: no call) and the reconciliation
sweep an hour after everything was read, on the staging database the extract section left (its full read
of the seed). 1,000 projects are a call-count simulation of the sweep's own planner (``plan_sweep``) on
1,000 projects read an hour ago: on a quiet hour each planned read is one call, as measured at 25 and 250.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_extract import WORK_DIR, in_fresh_process, procore_client, procore_run
from tools.extract_env import RAISED_LIMITS, extract_env, patched_environ, raise_limits, sandbox_now

SIMULATED_PROJECTS = 1000
LOG_DIR = REPO_ROOT / "out" / "bench-logs"


def feed_settings() -> Any:
    from procore_xero.extract.feeds import FeedSettings
    from procore_xero.mapping.spec import load_spec

    return FeedSettings.from_settings(load_spec().settings)


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
    for scale in parser.parse_args(argv).scales:
        label = "demo seed" if scale == 1 else f"--scale {scale:g}"
        sandbox = start_sandbox(LOG_DIR / f"feeds-scale{scale:g}.log", "--scale", f"{scale:g}", timeout=600)
        try:
            raise_limits(sandbox, RAISED_LIMITS)
            stage_full(sandbox, label)
            result = quiet_hour(sandbox, label)
            print(label, result)
            figures[result["projects"]] = result["changes_calls"] + result["sweep_calls"]
        finally:
            sandbox.stop()
    figures[SIMULATED_PROJECTS] = simulated_quiet_hour(SIMULATED_PROJECTS)
    print(json.dumps({"procore_quiet_hour_calls": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
