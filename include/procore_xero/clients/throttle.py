"""Pacing from rate-limit headers: slow down before a 429, not after.

Each answer reports budgets (calls remaining in a window and when it resets). While a budget is above
its low-water mark calls go at full speed; below it, the remaining calls are spread evenly over the time
left in the window, the last one just before the reset, so the window ends just as it runs out instead of
with a 429 or with a call unspent.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from procore_xero.clients.redact import log

LOW_WATER_FRACTION = 0.1


@dataclass(frozen=True)
class Budget:
    """One rate-limit window as an answer's headers describe it."""

    name: str
    limit: int
    remaining: int
    resets_in: float  # seconds until the window starts afresh, at the latest
    uncertain: float = 0.0  # how much less time may be left (whole-second headers)

    @property
    def low_water(self) -> int:
        return max(1, math.ceil(self.limit * LOW_WATER_FRACTION))

    def pacing_delay(self) -> float:
        """Seconds to leave before the next call so the remaining calls last until the reset: the remaining
        calls at equal gaps over the time surely left, with one more gap before the reset, so the last goes
        in this window (spread over the latest reset, it went after it: each window ended a call or more
        short). Nothing left: wait until the latest reset."""
        if self.remaining > self.low_water:
            return 0.0
        if self.remaining <= 0:
            return max(0.0, self.resets_in)
        return max(0.0, self.resets_in - self.uncertain) / (self.remaining + 1)


class Throttle:
    """When the next call may go. Shared by the threads of one client; sleeps through ``sleep``."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_call_at = 0.0
        self.waited_seconds = 0.0  # total paced or held time, for the run log

    def observe(self, budgets: Iterable[Budget]) -> float:
        """Set the pace from the latest answer; return the delay it asks for."""
        delay = max((b.pacing_delay() for b in budgets), default=0.0)
        with self._lock:
            self._next_call_at = self._clock() + delay
        if delay:
            log.info("rate limit low: next call in %.2f s", delay)
        return delay

    def hold(self, seconds: float) -> None:
        """No call before ``seconds`` from now (a 429's advertised wait)."""
        with self._lock:
            self._next_call_at = max(self._next_call_at, self._clock() + seconds)

    def wait(self) -> float:
        """Sleep until the next call may go; return how long that was."""
        with self._lock:
            delay = self._next_call_at - self._clock()
        if delay <= 0:
            return 0.0
        self._sleep(delay)
        with self._lock:
            self.waited_seconds += delay
        return delay
