"""Peak resident memory of process groups (a Celery worker with its pool children and task processes),
sampled from /proc while the cluster test runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

PAGE_KB = 4


def group_rss_kb(session: int) -> int:
    """Resident kB of every process whose session is ``session`` (Components starts each in its own)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended between the listing and the read
            continue
        if int(fields[3]) == session:  # fields after the name: state ppid pgrp session … rss is the 22nd
            total += int(fields[21]) * PAGE_KB
    return total


class PeakRss(threading.Thread):
    """Samples ``sessions()`` (name -> session id) every ``interval`` s until ``stop()``; ``peak_mb``."""

    def __init__(self, sessions: Callable[[], dict[str, int]], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.sessions, self.interval = sessions, interval
        self.peak_kb: dict[str, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            for name, session in self.sessions().items():
                self.peak_kb[name] = max(self.peak_kb.get(name, 0), group_rss_kb(session))

    def stop(self) -> dict[str, float]:
        self.stopped.set()
        self.join(timeout=10)
        return {name: round(kb / 1024, 1) for name, kb in sorted(self.peak_kb.items())}
