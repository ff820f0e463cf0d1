"""One account's whole extract in one process: every object type, and for Procore every staged project, a
few projects at a time.

One Airflow task per (type, project) spent ~12 s of scheduler and XCom overhead on ~13 ms of work and
grew with the number of projects; here one task reads a tenant and returns one small summary. A read
that fails is logged in ``sync_runs`` and in the summary and the others go on (a project's reads that
depend on it are skipped); a spent rate limit or refused credentials stop every read not yet started (the
next run resumes where each stopped; a retry of the same DAG run, after a killed worker say, skips the reads
an earlier try finished: ``staging.progress``). Concurrency is bounded by the number of clients handed to the
workers; every client still takes each call's slot from the account's shared budget
(``clients.shared_budget``), so more workers never mean more calls than the limits allow.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine

from procore_xero.clients.errors import AuthError, ConfigurationError
from procore_xero.extract.runner import ExtractStopped
from procore_xero.extract.specs import COMPANY_SCOPED, PROCORE_SPECS, PROJECT_SCOPED, XERO_SPECS
from procore_xero.staging import StagingKey, TaskTry
from procore_xero.staging.progress import clear_reads_done, mark_read_done, reads_done

log = logging.getLogger(__name__)

COUNTED = ("records_read", "inserted", "updated", "unchanged", "deleted")
# Errors no other read of the account would escape (a spent limit, refused credentials): stop, don't repeat
ACCOUNT_WIDE = (ExtractStopped, AuthError, ConfigurationError)
FAILURES_KEPT = 10  # the summary is an XCom and an Asset event's extra: the rest are in the task log


class AccountStatus:
    SUCCESS = "success"  # every read finished
    PARTIAL = "partial"  # some reads failed or were stopped; what the others staged is in staging


@dataclass
class Tally:
    """The totals of an account's reads, shared by the worker threads."""

    reads: int = 0
    resumed: int = 0  # reads an earlier try of the same DAG run finished: not read again
    api_calls: int = 0  # failed reads' calls too: what the account's budget paid
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    failures: list[str] = field(default_factory=list)
    stopped_by: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: dict[str, Any]) -> None:
        with self.lock:
            self.reads += 1
            for name in COUNTED:
                self.totals[name] += int(result[name])

    def skip(self) -> None:
        with self.lock:
            self.resumed += 1

    def spent(self, calls: int) -> None:
        with self.lock:
            self.api_calls += calls

    def fail(self, where: str, error: BaseException) -> None:
        with self.lock:
            self.failures.append(f"{where}: {str(error)[:300]}")
            if isinstance(error, ACCOUNT_WIDE) and self.stopped_by is None:
                self.stopped_by = str(error)[:300]

    def summary(self, system: str, account: str, projects: int, seconds: float) -> dict[str, Any]:
        """Small and secret-free: the task's one XCom and its Asset event's extra."""
        return {
            "system": system,
            "account": account,
            "status": AccountStatus.PARTIAL if self.failures else AccountStatus.SUCCESS,
            "reads": self.reads,
            "resumed_reads": self.resumed,
            "failed_reads": len(self.failures),
            "projects": projects,
            **self.totals,
            "api_calls": self.api_calls,
            "seconds": round(seconds, 3),
            "stopped_by": self.stopped_by,
            "failures": self.failures[:FAILURES_KEPT],
        }


def read_try(task_try: TaskTry, object_type: str, scope: str) -> TaskTry:
    """The ``sync_runs`` row of one read inside the task: the task's try, the read named in its task id."""
    return replace(task_try, task_id=f"{task_try.task_id}.{object_type}" + (f"@{scope}" if scope else ""))


def _attempt(tally: Tally, where: str, client: Any, read: Callable[[], dict[str, Any]]) -> bool:
    """Run one read with ``client`` into the tally; False (logged, counted) when it failed or a limit
    stopped the account. Its calls are counted either way (each worker has its own client)."""
    if tally.stopped_by is not None:
        tally.fail(where, RuntimeError(f"not read: {tally.stopped_by}"))
        return False
    before = client.api.calls.total
    try:
        tally.add(read())
        return True
    except Exception as error:  # one read's failure must not lose the others' work
        log.exception("%s failed", where)
        tally.fail(where, error)
        return False
    finally:
        tally.spent(client.api.calls.total - before)


@contextmanager
def _borrowed(clients: queue.Queue[Any]) -> Iterator[Any]:
    client = clients.get()
    try:
        yield client
    finally:
        clients.put(client)


def extract_procore_account(
    new_client: Callable[[], Any],
    engine: Engine,
    *,
    task_try: TaskTry,
    window_end: datetime,
    window_start: datetime | None = None,
    full_refresh: bool = False,
    project_id: int | None = None,
    concurrency: int = 4,
) -> dict[str, Any]:
    """The company's types, then every staged project's types (only ``project_id``'s when given), with at
    most ``concurrency`` projects read at once. ``new_client()`` makes a ``ProcoreClient``; it is called in
    this thread only (Airflow's connection lookup is not thread-safe), once per worker."""
    from procore_xero.extract.procore import extract_procore, staged_project_ids

    if concurrency < 1:
        raise ValueError(f"extract concurrency must be at least 1, not {concurrency}")
    started, tally, first = time.monotonic(), Tally(), new_client()
    company = StagingKey(company_id=first.company_id)
    done = reads_done(engine, task_try, company)

    def read(client: Any, name: str, project: int | None) -> bool:
        key = StagingKey(company_id=first.company_id, project_id=project)
        if (name, key.scope) in done:
            tally.skip()
            return True
        finished = _attempt(
            tally,
            f"procore {name}" + (f" (project {project})" if project else ""),
            client,
            lambda: extract_procore(
                client,
                engine,
                name,
                task_try=read_try(task_try, name, key.scope),
                project_id=project,
                window_start=window_start,
                window_end=window_end,
                full_refresh=full_refresh,
            ),
        )
        if finished:
            mark_read_done(engine, task_try, name, key)
        return finished

    for name in COMPANY_SCOPED:
        read(first, name, None)
    projects = [
        p for p in staged_project_ids(engine, first.company_id) if project_id is None or p == int(project_id)
    ]
    workers = max(1, min(concurrency, len(projects)))
    clients: queue.Queue[Any] = queue.Queue()
    for client in [first, *(new_client() for _ in range(workers - 1))]:
        clients.put(client)

    def one_project(project: int) -> None:
        failed: set[str] = set()
        with _borrowed(clients) as client:
            for name in PROJECT_SCOPED:
                if set(PROCORE_SPECS[name].parents) & failed:
                    tally.fail(
                        f"procore {name} (project {project})", RuntimeError("not read: its parent failed")
                    )
                    failed.add(name)
                elif not read(client, name, project):
                    failed.add(name)

    with ThreadPoolExecutor(workers, thread_name_prefix="procore-extract") as pool:
        list(pool.map(one_project, projects))
    if not tally.failures:
        clear_reads_done(engine, company)
    return tally.summary("procore", str(first.company_id), len(projects), time.monotonic() - started)


def extract_xero_account(
    client: Any,
    engine: Engine,
    *,
    task_try: TaskTry,
    window_start: datetime | None = None,
    full_refresh: bool = False,
    object_types: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every Xero type of the client's tenant (only ``object_types``, if given) in turn: a handful of calls
    when nothing changed."""
    from procore_xero.extract.xero import extract_xero

    started, tally = time.monotonic(), Tally()
    for name in XERO_SPECS if object_types is None else object_types:
        _attempt(
            tally,
            f"xero {name}",
            client,
            partial(
                extract_xero,
                client,
                engine,
                name,
                task_try=read_try(task_try, name, ""),
                window_start=window_start,
                full_refresh=full_refresh,
            ),
        )
    return tally.summary("xero", str(client.tenant_id), 0, time.monotonic() - started)
