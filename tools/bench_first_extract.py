"""``make bench``'s first full Procore extract paced by the rate headers (issue 17), killed half-way.

The sandbox's hour is shortened to ``--window-seconds`` with the hourly limit set to ``--limit`` (its
spike window lifted: the hourly share is measured), so the extract spans several windows in minutes.
The extract runs as its own process (``tools.paced_extract``), is SIGKILLed once it has made ``--kill-at``
calls, and is started again as the next try of the same DAG run. Measured:

- the share of each window's limit the extract used: the limit minus the least ``X-Rate-Limit-Remaining``
  any answer of that window showed (the server's own count, both processes included), divided by the limit,
  over every window but the last (the extract ended in it): min and mean;
- calls repeated after the kill: a call (method, path, query) the sandbox answered with success before the
  kill and was sent again after it. Those of a project whose read the kill interrupted (its ``sync_runs``
  row still ``running``) are the documented re-reads (``repeated_in_flight``); any other is a failure
  (``repeated_after_kill``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_out import BenchRow, merge_scale
from tools.extract_env import extract_env, sandbox_now
from tools.paced_extract import DAG_ID

WORK_DIR = REPO_ROOT / "out" / "bench-first-extract"
# Procore's hour (3,600 calls) as 60 s at 720 calls: 12 calls/s, below what the extract draws from the
# sandbox at --scale 10 on 2 shared cores (about 16/s at load 6-7), so the pacing, not the machine, decides
# the share (at 900 a minute each window filled only in its last 2-4 s).
SCALE, WINDOW_SECONDS, LIMIT, KILL_AT = 10.0, 60.0, 720, 1080  # killed half-way through the second window
LOG_DIR = REPO_ROOT / "out" / "bench-logs"
TOKEN_PATH = "/oauth/token"
PROJECT_IN_PATH = re.compile(r"/projects/(\d+)(?:/|$)")
RUN_TIMEOUT = 3600.0


def window_shares(answers: Iterable[dict[str, Any]]) -> list[float]:
    """Each full window's share of its limit, in order: (limit - least remaining) / limit per distinct
    ``X-Rate-Limit-Reset``; the last window (the extract ended in it) is left out."""
    least: dict[int, int] = {}
    limits: dict[int, int] = {}
    for answer in answers:
        if answer["reset"] is None or answer["remaining"] is None:
            continue
        reset = int(answer["reset"])
        least[reset] = min(least.get(reset, int(answer["remaining"])), int(answer["remaining"]))
        limits[reset] = int(answer["limit"])
    resets = sorted(least)[:-1]
    return [(limits[reset] - least[reset]) / limits[reset] for reset in resets]


def call_key(entry: dict[str, Any]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """What identifies a call: method, path and its query parameters in any order."""
    return entry["method"], entry["path"], tuple(sorted((str(k), str(v)) for k, v in entry["query"]))


def project_of(entry: dict[str, Any]) -> str:
    """The project a call reads ('' for company-wide calls): in its path or its ``project_id``."""
    found = PROJECT_IN_PATH.search(entry["path"])
    if found:
        return found.group(1)
    return next((str(v) for k, v in entry["query"] if k == "project_id"), "")


def repeats(
    before: list[dict[str, Any]], after: list[dict[str, Any]], interrupted: set[str]
) -> dict[str, int]:
    """Successful API calls before the kill that were sent again after it, split into those of a project
    whose read the kill interrupted and the others."""
    done = {call_key(e) for e in before if 200 <= e["status"] < 300 and e["path"] != TOKEN_PATH}
    again = [e for e in after if e["path"] != TOKEN_PATH and call_key(e) in done]
    in_flight = sum(1 for e in again if project_of(e) in interrupted)
    return {"repeated_after_kill": len(again) - in_flight, "repeated_in_flight": in_flight}


def interrupted_scopes(staging_url: str, run_id: str) -> set[str]:
    """The scopes (project ids, '' for company-wide) of the reads the killed try left ``running``."""
    from procore_xero.staging import create_staging_engine
    from procore_xero.staging.schema import sync_runs

    query = select(sync_runs.c.scope).where(
        sync_runs.c.dag_id == DAG_ID,
        sync_runs.c.run_id == run_id,
        sync_runs.c.try_number == 1,
        sync_runs.c.status == "running",
    )
    with create_staging_engine(staging_url).connect() as connection:
        return set(connection.execute(query).scalars())


def extract_process(
    env: dict[str, str],
    run_id: str,
    try_number: int,
    window_end: datetime,
    window_seconds: float,
    calls_log: Path,
) -> subprocess.Popen[str]:
    """``tools.paced_extract`` as a child process (its log beside the answers log)."""
    args = [
        sys.executable,
        "-m",
        "tools.paced_extract",
        "--run-id",
        run_id,
        "--try-number",
        str(try_number),
        "--window-end",
        window_end.isoformat(),
        "--hourly-seconds",
        str(window_seconds),
        "--calls-log",
        str(calls_log),
    ]
    stderr = calls_log.with_name(f"{calls_log.stem}-try{try_number}.log").open("w")
    return subprocess.Popen(
        args, env={**os.environ, **env}, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
    )


def lines_in(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def kill_after(process: subprocess.Popen[str], calls_log: Path, calls: int) -> None:
    """SIGKILL the extract once ``calls`` answers are logged (fails if it ends first)."""
    while lines_in(calls_log) < calls:
        if process.poll() is not None:
            raise RuntimeError(f"the extract ended (exit {process.returncode}) before {calls} calls")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()


def sandbox_requests(sandbox: SandboxProcess) -> list[dict[str, Any]]:
    snapshot = sandbox.admin("procore", "GET", "requests")
    if snapshot["dropped"]:
        raise RuntimeError(f"the sandbox's request log dropped {snapshot['dropped']} entries")
    return [e for e in snapshot["requests"] if not e["path"].startswith("/_sandbox")]


def first_extract(
    sandbox: SandboxProcess, work_dir: Path, *, window_seconds: float, limit: int, kill_at: int
) -> dict[str, Any]:
    """The measurement on a running sandbox (any seed): a fresh staging database, a killed first try and a
    second try to the end; the database, the answers and both tries' logs are left in ``work_dir``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    database, calls_log = work_dir / "staging.db", work_dir / "answers.jsonl"
    for path in (database, calls_log):
        path.unlink(missing_ok=True)
    staging_url = f"sqlite:///{database}"
    env = extract_env(sandbox, staging_url)
    sandbox.admin(
        "procore", "POST", "limits", {"hourly": limit, "hourly_seconds": window_seconds, "spike": 10**9}
    )
    sandbox.admin("procore", "DELETE", "requests")
    run_id, window_end, started = "bench__first_extract", sandbox_now(sandbox), time.monotonic()
    first = extract_process(env, run_id, 1, window_end, window_seconds, calls_log)
    kill_after(first, calls_log, kill_at)
    before = sandbox_requests(sandbox)
    interrupted = interrupted_scopes(staging_url, run_id)
    second = extract_process(env, run_id, 2, window_end, window_seconds, calls_log)
    out, _ = second.communicate(timeout=RUN_TIMEOUT)
    if second.returncode != 0:
        raise RuntimeError(f"the resumed extract failed (exit {second.returncode}); see {work_dir}")
    summary = json.loads(out.strip().splitlines()[-1])
    seconds = time.monotonic() - started
    after = sandbox_requests(sandbox)[len(before) :]
    answers = [json.loads(line) for line in calls_log.read_text(encoding="utf-8").splitlines()]
    shares = window_shares(answers)
    api = [e for e in before + after if e["path"] != TOKEN_PATH]
    return {
        "projects": summary["projects"],
        "window_seconds": window_seconds,
        "limit": limit,
        "windows": len(shares),
        "share_min": round(min(shares), 3) if shares else None,
        "share_mean": round(sum(shares) / len(shares), 3) if shares else None,
        "calls": len(api),
        "rejected_429": sum(1 for e in api if e["status"] == 429),
        "calls_before_kill": len([e for e in before if e["path"] != TOKEN_PATH]),
        "reads_interrupted_by_kill": len(interrupted),
        **repeats(before, after, interrupted),
        "resumed_reads": summary["resumed_reads"],
        "status": summary["status"],
        "seconds": round(seconds, 1),
    }


def bench_first_extract(
    scale: float = SCALE, window_seconds: float = WINDOW_SECONDS, limit: int = LIMIT, kill_at: int = KILL_AT
) -> dict[str, Any]:
    """``first_extract_limit_share`` at ``--scale scale``."""
    sandbox = start_sandbox(
        LOG_DIR / f"first-extract-scale{scale:g}.log", "--scale", f"{scale:g}", timeout=600
    )
    try:
        result = first_extract(
            sandbox, WORK_DIR / f"scale{scale:g}", window_seconds=window_seconds, limit=limit, kill_at=kill_at
        )
    finally:
        sandbox.stop()
    return {"scale": scale, **result}


def bench_row(result: dict[str, Any]) -> BenchRow:
    """The table's row: the least share of a window's limit the extract used."""
    return (
        "pacing",
        f"first full extract, {result['projects']} projects: least share of a window's limit",
        100 * (result["share_min"] or 0),
        "%",
        f"mean {result['share_mean']}, {result['windows']} windows of {result['window_seconds']:g} s at "
        f"{result['limit']}, {result['calls']} calls, {result['rejected_429']} refused, killed after "
        f"{result['calls_before_kill']}: {result['repeated_after_kill']} repeated "
        f"(+{result['repeated_in_flight']} in flight)",
    )


def main(argv: list[str] | None = None) -> int:
    """This section alone (``python -m tools.bench_first_extract``), merged into ``out/bench.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=SCALE)
    parser.add_argument("--window-seconds", type=float, default=WINDOW_SECONDS)
    parser.add_argument("--limit", type=int, default=LIMIT)
    parser.add_argument("--kill-at", type=int, default=KILL_AT)
    args = parser.parse_args(argv)
    result = bench_first_extract(args.scale, args.window_seconds, args.limit, args.kill_at)
    print(json.dumps({"first_extract_limit_share": result}, indent=1))
    merge_scale({"first_extract_limit_share": result})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
