"""Peak memory of process groups (a Celery worker with its pool children and task processes), sampled from
/proc while the cluster test runs. Proportional set size, not RSS: forked pool children share the pages
their parent imported (pandas, Great Expectations), and summing their RSS would count those once per child."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


def session_of(pid: Path) -> int | None:
    try:
        return int((pid / "stat").read_text().rsplit(")", 1)[1].split()[3])  # state ppid pgrp session
    except (OSError, IndexError, ValueError):  # the process ended between the listing and the read
        return None


def pss_kb(pid: Path) -> int:
    try:
        lines = (pid / "smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)


def group_pss_kb(session: int) -> int:
    """Proportional kB of every process whose session is ``session`` (Components starts each in its own)."""
    return sum(pss_kb(pid) for pid in Path("/proc").glob("[0-9]*") if session_of(pid) == session)


class PeakMemory(threading.Thread):
    """Samples ``sessions()`` (name -> session id) every ``interval`` s until ``stop()``: the peak in MB."""

    def __init__(self, sessions: Callable[[], dict[str, int]], interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.sessions, self.interval = sessions, interval
        self.peak_kb: dict[str, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            for name, session in self.sessions().items():
                self.peak_kb[name] = max(self.peak_kb.get(name, 0), group_pss_kb(session))

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join(timeout=10)
        return {name: round(kb / 1024, 1) for name, kb in sorted(self.peak_kb.items())}
