"""Step-by-step progress for long command-line runs (``make demo``): each step says what it starts at
once and how long it took when it ends, so a minutes-long run is never silent, and the wall times are
kept for the summary."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """``with progress.step("Extract Procore"):`` prints ``[3/11] Extract Procore …`` before and
    ``[3/11] Extract Procore: done in 41.2 s`` (or ``failed after …``) after; ``seconds`` keeps each step's
    wall time by label, in the order run."""

    def __init__(
        self, total: int, out: TextIO | None = None, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.total = total
        self.out = out or sys.stdout
        self.clock = clock
        self.seconds: dict[str, float] = {}
        self._started = clock()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        number = f"[{len(self.seconds) + 1}/{self.total}]"
        self._say(f"{number} {label} …")
        start = self.clock()
        outcome = "failed after"
        try:
            yield
            outcome = "done in"
        finally:
            elapsed = round(self.clock() - start, 1)
            self.seconds[label] = elapsed
            self._say(f"{number} {label}: {outcome} {elapsed} s (total {self.clock() - self._started:.0f} s)")

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)
