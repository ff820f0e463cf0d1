"""The soak's tasks: one library call each, as the DAGs' tasks make them (built afresh on every try, like an
Airflow worker), retried like Airflow retries them; one of them can run in a child process that is killed
with SIGKILL once the sandbox has seen its first write, and is then run again in a fresh process.

Task bodies are module-level functions of ``(env, until, run_ids)`` so a spawned process can run them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from procore_xero.clients import DailyLimitReached, RateLimitExhausted
from procore_xero.extract.runner import ExtractStopped
from sandbox.process import SandboxProcess
from tools.bench_extract import in_fresh_process, procore_run, xero_run
from tools.bench_inbound import inbound_context, inbound_one, inbound_run
from tools.bench_sync import sync_context, sync_one

RETRIES = 2  # the DAGs' default_args
RETRY_DELAY_S = 120  # sandbox seconds between tries (the DAGs wait 2 minutes)
TOKEN_PATHS = ("/oauth/token", "/connect/token")
WRITE_METHODS = {"procore": ("POST", "PATCH", "DELETE"), "xero": ("PUT", "POST")}

Body = Callable[[dict[str, str], datetime, dict[str, dict[str, str]]], dict[str, Any]]


def procore_extract(
    env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """Every Procore type since its watermark (``procore_extract``)."""
    return {"results": len(procore_run(env, until, None))}


def xero_extract(env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Every Xero type since its watermark (``xero_extract``)."""
    return {"results": len(xero_run(env, until, None))}


def outbound_step(
    name: str, env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """One ``procore_to_xero`` step; ``run_ids`` are the earlier steps' links of this run (their XCom)."""
    return sync_one(sync_context(env), name, run_ids, run_name(until))


def inbound_step(
    name: str, env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]
) -> dict[str, Any]:
    """One ``xero_to_procore`` (or nightly ``job_costs``) step."""
    return inbound_one(inbound_context(env), name, run_name(until))


def run_name(until: datetime) -> str:
    """The run id a scheduled run at ``until`` would carry."""
    return f"soak__{until.isoformat()}"


def job_costs(env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The nightly job-cost figures (``job_costs``)."""
    from procore_xero.sync.job_cost_run import refresh_job_costs
    from procore_xero.to_procore.known import known_in_procore

    run = inbound_run(inbound_context(env), run_name(until))
    return refresh_job_costs(run, known_in_procore(run.engine, run.key))


@dataclass(frozen=True)
class Task:
    """``dag.step``: the service it writes to (for the kill's write watch) and its body."""

    key: str
    writes_to: str
    body: Body


class RunStopped(RuntimeError):
    """A spent rate limit stopped the run: no retry helps before its reset (``resets_at`` if known)."""

    def __init__(self, task: str, error: Exception) -> None:
        super().__init__(f"{task}: {error}")
        self.resets_at: datetime | None = getattr(error, "resets_at", None)


@dataclass
class TaskLog:
    """What the tasks did over the soak: tries, failures by error type, kills, tasks failed for good."""

    tries: int = 0
    failed_tries: Counter[str] = field(default_factory=Counter)
    failed_for_good: list[str] = field(default_factory=list)
    kills: list[dict[str, Any]] = field(default_factory=list)
    stops: list[str] = field(default_factory=list)


def run_body(body: Body, env: dict[str, str], until: datetime, run_ids: dict[str, dict[str, str]]) -> Any:
    """The spawned child's entry point (``os.environ`` is inherited from the parent)."""
    return body(env, until, run_ids)


@dataclass
class TaskRunner:
    """Runs tasks with Airflow's retries against one sandbox; the sandbox clock is the scheduler's."""

    sandbox: SandboxProcess
    env: dict[str, str]
    log: TaskLog = field(default_factory=TaskLog)

    def run(
        self, task: Task, until: datetime, run_ids: dict[str, dict[str, str]], *, kill: bool = False
    ) -> dict[str, Any] | None:
        """Up to ``RETRIES + 1`` tries; the first one killed mid-task when ``kill``. The result, or None when
        every try failed (the DAG run's later tasks are then skipped by the caller)."""
        for attempt in range(RETRIES + 1):
            self.log.tries += 1
            try:
                if kill and attempt == 0:
                    self.kill_mid_task(task, until, run_ids)
                    raise ChildKilled(task.key)
                if attempt and kill:
                    return in_fresh_process(run_body, task.body, self.env, until, run_ids)
                return task.body(self.env, until, run_ids)
            except (RateLimitExhausted, ExtractStopped) as error:
                if _daily(error):
                    self.log.stops.append(f"{task.key}: {type(error).__name__} ({error.limit})")
                    raise RunStopped(task.key, error) from error
                self.log.failed_tries[f"{task.key}: {type(error).__name__}"] += 1
                if isinstance(error, ExtractStopped):
                    break  # the extract tasks fail for good on a spent limit (AirflowFailException)
                self._advance(RETRY_DELAY_S)
            except Exception as error:  # an Airflow task fails on any error and is retried
                self.log.failed_tries[f"{task.key}: {type(error).__name__}"] += 1
                self._advance(RETRY_DELAY_S)
        self.log.failed_for_good.append(task.key)
        return None

    def _advance(self, seconds: float) -> None:
        """Airflow's retry delay, on the sandbox clock."""
        self.sandbox.admin("procore", "POST", "clock", {"advance_seconds": seconds})

    def kill_mid_task(self, task: Task, until: datetime, run_ids: dict[str, dict[str, str]]) -> None:
        """Start the task in a spawned child; SIGKILL it as soon as the sandbox counts a write from it."""
        before = write_count(self.sandbox, task.writes_to)
        context = multiprocessing.get_context("spawn")
        child = context.Process(target=run_body, args=(task.body, self.env, until, run_ids), daemon=True)
        child.start()
        started, writes = time.monotonic(), 0
        while child.is_alive() and time.monotonic() - started < 600:
            writes = write_count(self.sandbox, task.writes_to) - before
            if writes:
                break
            time.sleep(0.005)
        alive = child.is_alive()
        if alive and child.pid is not None:
            os.kill(child.pid, signal.SIGKILL)
        child.join()
        after = write_count(self.sandbox, task.writes_to) - before
        self.log.kills.append(
            {
                "task": task.key,
                "mid_task": alive and writes > 0,
                "writes_before_kill": after,
                "exit": child.exitcode,
            }
        )


def _daily(error: RateLimitExhausted | ExtractStopped) -> bool:
    """Xero's daily limit: nothing but its reset (hours away) lets the run go on."""
    return isinstance(error, DailyLimitReached) or getattr(error, "limit", None) == "daily"


class ChildKilled(RuntimeError):
    """The worker running the task died (SIGKILL): Airflow marks the try failed and retries it."""


def writes_by_route(sandbox: SandboxProcess, service: str) -> Counter[str]:
    """API writes the sandbox has answered or dropped, per ``METHOD /route`` (token requests aside)."""
    calls = sandbox.admin(service, "GET", "stats")["calls"]
    return Counter(
        {
            key: n
            for key, n in calls.items()
            if key.split(" ", 1)[0] in WRITE_METHODS[service] and not key.endswith(TOKEN_PATHS)
        }
    )


def write_count(sandbox: SandboxProcess, service: str) -> int:
    return sum(writes_by_route(sandbox, service).values())
