"""Sessions of ``make airflow`` in a row, as a newcomer has them: the real command on a fresh home, then
again on the same (used) home; each time the README's steps through the REST API the UI calls, a 3-day
backfill of ``xero_extract`` and the drift report, then Ctrl-C.

    nice .venv/bin/python -m tools.airflow_sessions --sessions 5 --root /tmp/pxsync-sessions

Records each step's wall seconds and outcome, the start time (command to ready banner), the load average and
the mailed drift report's headline in ``out/sessions.json``; prints a markdown table. On a shared machine
the times are upper bounds: read them with the load beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from sandbox.process import REPO_ROOT
from tools.interrupts import sigterm_as_ctrl_c
from tools.session_launch import Launcher
from tools.session_record import SessionRecord, StepRecord, as_json, drift_headline, from_json, markdown
from tools.session_steps import STEPS, Session

READY_TIMEOUT = 900.0  # a fresh home on a loaded 2-core machine: migrate, then four components
OUTPUT = REPO_ROOT / "out" / "sessions.json"
INTERRUPTED = "interrupted (Ctrl-C or SIGTERM)"


def load() -> float:
    return os.getloadavg()[0]


def run_session(index: int, root: Path) -> SessionRecord:
    """One ``make airflow`` under ``root`` (its home kept from the last session), the steps, Ctrl-C."""
    home = root / "airflow"
    record = SessionRecord(
        index,
        "used" if (home / "postgres").exists() else "fresh",
        datetime.now(UTC).isoformat(timespec="seconds"),
        load_at_start=load(),
    )
    launcher = Launcher(home, root / "data", root / f"session-{index}.log")
    try:
        banner, ready = launcher.wait_ready(READY_TIMEOUT)
        record.ready_seconds, record.launcher_ready_seconds = ready, banner.ready_seconds
        print(f"session {index}: ready in {ready:.0f} s ({banner.url})", flush=True)
        session = Session(banner, home, index)
        for name, step in STEPS:
            started = time.monotonic()
            try:
                detail, ok = step(session), True
            except Exception as error:  # a failed step is a finding: keep going, record why
                detail, ok = f"{type(error).__name__}: {error}"[-4000:], False
                traceback.print_exc()
            record.steps.append(StepRecord(name, time.monotonic() - started, ok, detail, load()))
            print(
                f"session {index}: {name}: {'ok' if ok else 'FAILED'} in {record.steps[-1].seconds:.0f} s: "
                f"{detail[:300]}",
                flush=True,
            )
        if "drift_mail" in session.found:
            record.drift_headline = drift_headline(session.found["drift_mail"])
    except (RuntimeError, TimeoutError) as error:
        record.error = str(error)[-4000:]
        print(f"session {index}: {record.error}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        record.error = INTERRUPTED  # kept with the steps done so far; no further session starts
    finally:
        record.exit_code, record.stop_seconds = launcher.stop()
        print(f"session {index}: stopped in {record.stop_seconds:.0f} s, exit {record.exit_code}", flush=True)
    return record


def main(argv: list[str] | None = None) -> int:
    sigterm_as_ctrl_c()  # the running session's ``make airflow`` is stopped, not left behind
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--root", type=Path, required=True, help="home and data dir of every session")
    parser.add_argument("--fresh", action="store_true", help="remove --root first: session 1 on a fresh home")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the sessions already in --output on the same --root (numbered on from them)",
    )
    args = parser.parse_args(argv)
    if args.fresh:
        shutil.rmtree(args.root, ignore_errors=True)
    args.root.mkdir(parents=True, exist_ok=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    sessions = from_json(json.loads(args.output.read_text())) if args.resume else []
    for index in range(len(sessions) + 1, len(sessions) + args.sessions + 1):
        sessions.append(run_session(index, args.root.resolve()))
        args.output.write_text(json.dumps(as_json(sessions), indent=2) + "\n")  # each session as it ends
        if sessions[-1].error == INTERRUPTED:
            break
    print(markdown(sessions))
    return 0 if all(s.ok for s in sessions) else 1


if __name__ == "__main__":
    raise SystemExit(main())
