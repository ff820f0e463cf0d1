"""A clock tests can speed up or move forward: token expiry and rate-limit windows cost no real time."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime


class SandboxClock:
    """Sandbox time = anchor + (real elapsed since anchor) * speed. Every emulator reads time from here."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._real_anchor = time.monotonic()
        self._sandbox_anchor = (start or datetime.now(UTC)).timestamp()
        self._speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    def time(self) -> float:
        """Seconds since the Unix epoch on the sandbox clock."""
        with self._lock:
            return self._sandbox_anchor + (time.monotonic() - self._real_anchor) * self._speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def set(
        self, *, speed: float | None = None, advance_seconds: float = 0.0, start: datetime | None = None
    ) -> None:
        """Re-anchor the clock: optionally jump to ``start``, move forward, and change the speed."""
        now = start.timestamp() if start else self.time()
        with self._lock:
            self._real_anchor = time.monotonic()
            self._sandbox_anchor = now + advance_seconds
            if speed is not None:
                if speed <= 0:
                    raise ValueError("speed must be positive")
                self._speed = speed

    async def sleep(self, sandbox_seconds: float) -> None:
        """Sleep for a span of sandbox time (shorter in real time when the clock runs fast)."""
        await asyncio.sleep(max(0.0, sandbox_seconds) / self._speed)

    def describe(self) -> dict[str, object]:
        return {
            "now": self.now().isoformat().replace("+00:00", "Z"),
            "epoch": self.time(),
            "speed": self._speed,
        }
