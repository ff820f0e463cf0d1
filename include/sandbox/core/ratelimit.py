"""Fixed rate-limit windows on the sandbox clock, as both services count calls."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sandbox.core.clock import SandboxClock


@dataclass
class WindowState:
    """The outcome of counting one call in one window."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float  # sandbox epoch seconds when the window starts afresh

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.reset_at - now))


@dataclass
class Window:
    """Counts calls in fixed windows of ``seconds``, opened by the first call after the last one closed."""

    limit: int
    seconds: float
    _started: float | None = field(default=None, repr=False)
    _count: int = field(default=0, repr=False)

    def _roll(self, now: float) -> None:
        if self._started is None or now >= self._started + self.seconds:
            self._started = now
            self._count = 0

    def peek(self, now: float) -> WindowState:
        self._roll(now)
        assert self._started is not None
        remaining = max(0, self.limit - self._count)
        return WindowState(remaining > 0, self.limit, remaining, self._started + self.seconds)

    def hit(self, now: float) -> WindowState:
        """Count a call if the window has room; report the state either way."""
        state = self.peek(now)
        if state.allowed:
            self._count += 1
            state.remaining -= 1
        return state

    def resize(self, limit: int | None = None, seconds: float | None = None) -> None:
        if limit is not None:
            self.limit = limit
        if seconds is not None:
            self.seconds = seconds


def hit_all(windows: dict[str, Window], clock: SandboxClock) -> tuple[str | None, dict[str, WindowState]]:
    """Check every window first and count the call in all of them only when none is exhausted.

    Returns the name of the first exhausted window (or None) and each window's state.
    """
    now = clock.time()
    states = {name: w.peek(now) for name, w in windows.items()}
    for name, state in states.items():
        if not state.allowed:
            return name, states
    return None, {name: w.hit(now) for name, w in windows.items()}
