"""Fault soak (issue 8): the hourly + nightly cycle many times on an accelerated sandbox clock while both
sandboxes inject faults, people act in both systems between cycles, then a clean run until nothing moves,
then the end state of both sandboxes against the state expected from the seed and the people's actions.

    .venv/bin/python -m tools.soak --cycles N --seed S [--scale X]

Each cycle: every fault kind armed on both APIs (on the whole API in even cycles, on a random resource in
odd ones) with a 429 storm; in even cycles both services' tokens revoked in the middle of a task. Then the
DAGs' tasks through the library (not Airflow): ``procore_extract`` -> ``procore_to_xero`` (six steps) ->
``xero_extract`` -> ``xero_to_procore``, and ``job_costs`` every ``--nightly-every`` cycles. A failed task
is retried as Airflow would (2 retries, 2 sandbox minutes apart); one that failed for good skips the rest of
its DAG run. In odd cycles the payments task runs in a child process killed with SIGKILL after its first
write, then runs again in a fresh one. In the middle cycle the Xero daily limit is spent mid-extract: the
run stops, the clock moves past the reset and the run starts again. Between cycles the sandbox clock moves
an hour (so tokens expire), the controller works in Xero and project managers in Procore. At the end clean
runs until one writes nothing. Prints the figures and writes ``out/soak.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from procore_xero.sync.order import HOURLY_INBOUND_ORDER, NIGHTLY_INBOUND_ORDER, STEP_ORDER
from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_extract import connection
from tools.extract_env import extract_env, raise_limits, sandbox_now
from tools.soak_actions import (
    ActionLog,
    ProjectManagers,
    arm_faults,
    controller_acts,
    disarm_faults,
    revoke_tokens,
)
from tools.soak_check import compare, initial_facts
from tools.soak_tasks import (
    RunStopped,
    Task,
    TaskRunner,
    inbound_step,
    job_costs,
    outbound_step,
    procore_extract,
    writes_by_route,
    xero_extract,
)

OUT = REPO_ROOT / "out" / "soak.json"
WORK_DIR = REPO_ROOT / "out" / "soak"
CLOCK_SPEED = 60  # sandbox seconds per real second while tasks run
HOUR = 3600
DAY = 86400
SETTLE_RUNS = 6  # clean runs at most before the end state must have stopped moving
KILL_TARGET = "xero_to_procore.payments"  # one Procore POST per payment: a kill lands between writes
CALLS_BEFORE_TROUBLE = 3  # calls into a task before its tokens are revoked or its daily limit spent

HOURLY_RUNS: tuple[tuple[str, tuple[Task, ...]], ...] = (
    ("procore_extract", (Task("procore_extract.extract", "procore", procore_extract),)),
    (
        "procore_to_xero",
        tuple(Task(f"procore_to_xero.{n}", "xero", partial(outbound_step, n)) for n in STEP_ORDER),
    ),
    ("xero_extract", (Task("xero_extract.extract", "xero", xero_extract),)),
    (
        "xero_to_procore",
        tuple(
            Task(f"xero_to_procore.{n}", "procore", partial(inbound_step, n)) for n in HOURLY_INBOUND_ORDER
        ),
    ),
)
NIGHTLY_RUN: tuple[str, tuple[Task, ...]] = (
    "job_costs",
    (
        *(Task(f"job_costs.{n}", "procore", partial(inbound_step, n)) for n in NIGHTLY_INBOUND_ORDER),
        Task("job_costs.figures", "procore", job_costs),
    ),
)


@dataclass
class Soak:
    """One soak against one sandbox: its task runner, the people's log and the plan's random source."""

    sandbox: SandboxProcess
    env: dict[str, str]
    rng: random.Random
    nightly_every: int
    actions: ActionLog = field(default_factory=ActionLog)
    armed: Counter[str] = field(default_factory=Counter)
    cycle_seconds: list[float] = field(default_factory=list)
    settle_writes: list[dict[str, int]] = field(default_factory=list)
    runner: TaskRunner = field(init=False)

    def __post_init__(self) -> None:
        self.runner = TaskRunner(self.sandbox, self.env)
        self.tenant_id = connection(self.env, "xero_default")["extra"]["tenant_id"]

    def cycle(self, number: int, *, faults: bool, breach: bool = False) -> None:
        """One scheduled hour: its DAG runs in order (the nightly one when due); faults and a kill when
        ``faults``; a spent daily limit mid-extract when ``breach``, then the run again after the reset."""
        started = time.perf_counter()
        tasks = [task for _, run in self._runs(number) for task in run]
        calling = [t.key for t in tasks if t.key != "job_costs.figures"]  # figures make no API call
        revoke_before = (
            (calling[0] if number == 0 else self.rng.choice(calling)) if faults and number % 2 == 0 else None
        )
        kill = faults and number % 2 == 1
        if faults:
            self.armed.update(
                f"{r['service']} {r['kind']}" for r in arm_faults(self.sandbox, self.rng, number)
            )
        revocations, kills = self.actions.revocations, len(self.runner.log.kills)
        try:
            self._run_dags(number, revoke_before, kill, breach)
        except RunStopped as stopped:  # the next run, after the reset, does what this one did not get to
            self._after_reset(stopped)
            revoked, killed = self.actions.revocations > revocations, len(self.runner.log.kills) > kills
            self._run_dags(number, None if revoked else revoke_before, kill and not killed, False)
        disarm_faults(self.sandbox)
        self.cycle_seconds.append(round(time.perf_counter() - started, 1))

    def _runs(self, number: int) -> list[tuple[str, tuple[Task, ...]]]:
        nightly = (number + 1) % self.nightly_every == 0
        return [*HOURLY_RUNS, *([NIGHTLY_RUN] if nightly else [])]

    def _run_dags(self, number: int, revoke_before: str | None, kill: bool, breach: bool) -> None:
        until = sandbox_now(self.sandbox)
        for dag_id, tasks in self._runs(number):
            run_ids: dict[str, dict[str, str]] = {}
            for task in tasks:
                watches = []
                if task.key == revoke_before:
                    revoke = partial(revoke_tokens, self.sandbox, self.actions)
                    watches.append(self._after_calls(task.writes_to, revoke))
                if breach and dag_id == "xero_extract":
                    watches.append(self._after_calls("xero", self._spend_daily_limit))
                try:
                    result = self.runner.run(task, until, run_ids, kill=kill and task.key == KILL_TARGET)
                finally:
                    for watch in watches:
                        watch.set()
                if result is None:
                    break  # failed for good: Airflow skips the rest of this DAG run
                for source_type, links in result.get("ids", {}).items():
                    run_ids.setdefault(source_type, {}).update(links)

    def _after_calls(self, service: str, action: Callable[[], None]) -> threading.Event:
        """Do ``action`` once the running task has made a few calls to ``service`` (mid-task); returns the
        flag that stops the watch when the task ends first."""
        done = threading.Event()
        start = self.sandbox.admin(service, "GET", "stats")["total_calls"]

        def watch() -> None:
            while not done.is_set():
                if self.sandbox.admin(service, "GET", "stats")["total_calls"] - start >= CALLS_BEFORE_TROUBLE:
                    action()
                    return
                time.sleep(0.005)

        threading.Thread(target=watch, daemon=True).start()
        return done

    def _spend_daily_limit(self) -> None:
        self.sandbox.admin("xero", "POST", "limits", {"daily": 0})
        self.actions.daily_limit_breaches += 1

    def _after_reset(self, stopped: RunStopped) -> None:
        """The limit's window ends: move the clock past it, the organisation's limit is back."""
        now = sandbox_now(self.sandbox)
        wait = (stopped.resets_at - now).total_seconds() if stopped.resets_at else DAY
        self.sandbox.admin("xero", "POST", "clock", {"advance_seconds": max(wait, 0) + 60})
        self.sandbox.admin("xero", "POST", "limits", {"daily": 10**9})

    def people_act(self, number: int) -> None:
        """The controller in Xero and the project managers in Procore, with no fault armed."""
        today = sandbox_now(self.sandbox).date()
        controller_acts(self.sandbox, self.tenant_id, self.rng, self.actions, today)
        ProjectManagers(self.sandbox).act(self.rng, self.actions, number, today)

    def settle(self, start: int) -> int:
        """Clean runs (nightly included) until one writes nothing on either side; how many it took."""
        self.nightly_every = 1
        for n in range(1, SETTLE_RUNS + 1):
            before = {s: writes_by_route(self.sandbox, s) for s in ("procore", "xero")}
            self.cycle(start + n, faults=False)
            self.sandbox.admin("procore", "POST", "clock", {"advance_seconds": HOUR})
            moved = {s: writes_by_route(self.sandbox, s) - before[s] for s in before}
            self.settle_writes.append({f"{s} {route}": k for s, c in moved.items() for route, k in c.items()})
            if not any(moved.values()):
                return n
        return SETTLE_RUNS


def run_soak(cycles: int, seed: int, scale: float, work_dir: Path, nightly_every: int = 3) -> dict[str, Any]:
    """Start a sandbox, soak it, compare; the figures. ``work_dir`` (emptied first) keeps the staging
    database, the sandbox log and validation results for a look afterwards."""
    started = time.perf_counter()
    shutil.rmtree(work_dir, ignore_errors=True)  # a database's stale -wal file would corrupt a new one
    work_dir.mkdir(parents=True)
    database = work_dir / "staging.db"
    sandbox = start_sandbox(work_dir / "sandbox.log", "--scale", str(scale), "--latency-ms", "10")
    try:
        env = {
            **extract_env(sandbox, f"sqlite:///{database}"),
            **custom_connection(sandbox),
            "PXSYNC_DATA_DIR": str(work_dir / "data"),
        }
        os.environ.update(env)
        raise_limits(sandbox)
        facts = initial_facts(sandbox)
        sandbox.admin("procore", "POST", "clock", {"speed": CLOCK_SPEED})
        soak = Soak(sandbox, env, random.Random(seed), nightly_every)
        breach_at = cycles // 2
        for number in range(cycles):
            if number:
                soak.people_act(number)
            soak.cycle(number, faults=True, breach=number == breach_at)
            sandbox.admin("procore", "POST", "clock", {"advance_seconds": HOUR})
        settle_runs = soak.settle(cycles)
        report = compare(sandbox, facts, soak.actions, env)
        return figures(sandbox, soak, cycles, settle_runs, report, seed, scale, time.perf_counter() - started)
    finally:
        sandbox.stop()


def custom_connection(sandbox: SandboxProcess) -> dict[str, str]:
    """``xero_default`` on the organisation's custom connection (client credentials): a revoked token is
    then renewed by the sync itself, where an OAuth app would wait for someone to authorise it again."""
    app = next(
        a for a in sandbox.admin("xero", "GET", "credentials")["apps"] if a["kind"] == "custom_connection"
    )
    conn = json.loads(extract_env(sandbox, "sqlite://")["AIRFLOW_CONN_XERO_DEFAULT"])
    conn |= {"login": app["client_id"], "password": app["client_secret"]}
    conn["extra"] = {**conn["extra"], "grant_type": "client_credentials", "tenant_id": app["tenant_ids"][0]}
    conn["extra"].pop("refresh_token", None)
    return {"AIRFLOW_CONN_XERO_DEFAULT": json.dumps(conn)}


def figures(
    sandbox: SandboxProcess,
    soak: Soak,
    cycles: int,
    settle_runs: int,
    report: dict[str, Any],
    seed: int,
    scale: float,
    seconds: float,
) -> dict[str, Any]:
    stats = {s: sandbox.admin(s, "GET", "stats") for s in ("procore", "xero")}
    fired: Counter[str] = Counter()
    for service_stats in stats.values():
        fired.update(service_stats["faults_fired"])
    log = soak.runner.log
    return {
        "seed": seed,
        "scale": scale,
        "cycles": cycles,
        "settle_runs": settle_runs,
        "settled": not soak.settle_writes[-1],
        "wall_seconds": round(seconds, 1),
        "cycle_seconds": soak.cycle_seconds,
        "settle_writes": soak.settle_writes,
        "faults_fired": dict(sorted(fired.items())),
        "faults_fired_by_service": {s: st["faults_fired"] for s, st in stats.items()},
        "faults_armed": dict(sorted(soak.armed.items())),
        "answers_401": {s: st["statuses"].get("401", 0) for s, st in stats.items()},
        "answers_429": {s: st["statuses"].get("429", 0) for s, st in stats.items()},
        "api_calls": {s: st["total_calls"] for s, st in stats.items()},
        "people": soak.actions.counts(),
        "task_tries": log.tries,
        "failed_tries": dict(sorted(log.failed_tries.items())),
        "tasks_failed_for_good": log.failed_for_good,
        "runs_stopped_by_limit": log.stops,
        "kills": log.kills,
        **report,
    }


def print_figures(result: dict[str, Any]) -> None:
    print(
        f"soak: seed {result['seed']}, scale {result['scale']}, {result['cycles']} cycles + "
        f"{result['settle_runs']} clean run(s), {result['wall_seconds']} s"
    )
    print("faults fired:", ", ".join(f"{k} {v}" for k, v in result["faults_fired"].items()))
    print(
        "401 answered (expired / revoked tokens):",
        result["answers_401"],
        " 429 answered:",
        result["answers_429"],
    )
    print("people:", result["people"])
    kills = [k for k in result["kills"] if k["mid_task"]]
    print(
        f"tasks: {result['task_tries']} tries, {sum(result['failed_tries'].values())} failed and retried, "
        f"{len(result['tasks_failed_for_good'])} failed for good; {len(kills)} worker(s) killed mid-task; "
        f"runs stopped by the daily limit: {len(result['runs_stopped_by_limit'])}"
    )
    header = ("expected", "synced", "held", "missing", "dupes", "amount≠")
    print(f"{'record type':<24}" + "".join(f" {h:>8}" for h in header))
    for name, row in result["records"].items():
        columns = ("expected", "synced", "held", "missing", "duplicates", "amount_mismatches")
        print(f"{name:<24}" + "".join(f" {row[c]:>8}" for c in columns))
    for name, row in result["unique_keys"].items():
        print(f"unique: {name:<40} {row['records']:>6} records, {row['duplicates']} duplicate(s)")
    print(
        f"duplicates {result['duplicates']}, losses {result['losses']}, amount mismatches "
        f"{result['amount_mismatches']}, held without a reason {result['held_without_reason']}, "
        f"held yet synced {result['held_but_synced']}; settled: {result['settled']}"
    )
    for problem in result["problems"][:20]:
        print("  problem:", problem)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--nightly-every", type=int, default=3, help="cycles per nightly job-cost run")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--work-dir", type=Path, help="staging database and logs (default out/soak/seed-N)")
    args = parser.parse_args(argv)
    work_dir = args.work_dir or WORK_DIR / f"seed-{args.seed}"
    result = run_soak(args.cycles, args.seed, args.scale, work_dir, args.nightly_every)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    print_figures(result)
    clean = result["settled"] and not (
        result["duplicates"] or result["losses"] or result["amount_mismatches"]
    )
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
