"""Procore's two rate limits per access-token owner: an hourly window and a 10-second spike window."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sandbox.core.clock import SandboxClock
from sandbox.core.ratelimit import Window, WindowState, hit_all


@dataclass
class Limits:
    hourly: int = 3600
    spike: int = 100
    spike_seconds: float = 10.0
    hourly_seconds: float = 3600.0

    def update(self, changes: dict[str, Any]) -> None:
        unknown = set(changes) - {"hourly", "spike", "spike_seconds", "hourly_seconds"}
        if unknown:
            raise ValueError(
                f"unknown limit(s) {', '.join(sorted(unknown))}; expected hourly, spike, spike_seconds"
            )
        for key, value in changes.items():
            number = float(value) if key.endswith("_seconds") else int(value)
            if number <= 0:
                raise ValueError(f"{key} must be positive")
            setattr(self, key, number)


def rate_headers(state: WindowState) -> dict[str, str]:
    return {
        "X-Rate-Limit-Limit": str(state.limit),
        "X-Rate-Limit-Remaining": str(state.remaining),
        "X-Rate-Limit-Reset": str(math.ceil(state.reset_at)),  # the window is open until then
    }


class RateLimiter:
    """Counts calls per client; reports the window closest to running out, as Procore's headers do."""

    def __init__(self, limits: Limits, clock: SandboxClock) -> None:
        self.limits = limits
        self.clock = clock
        self._windows: dict[str, dict[str, Window]] = {}

    def _for(self, owner: str) -> dict[str, Window]:
        if owner not in self._windows:
            self._windows[owner] = {
                "spike": Window(self.limits.spike, self.limits.spike_seconds),
                "hourly": Window(self.limits.hourly, self.limits.hourly_seconds),
            }
        return self._windows[owner]

    def resize(self) -> None:
        """Apply changed limits to the windows already open."""
        for windows in self._windows.values():
            windows["spike"].resize(self.limits.spike, self.limits.spike_seconds)
            windows["hourly"].resize(self.limits.hourly, self.limits.hourly_seconds)

    def hit(self, owner: str) -> tuple[bool, dict[str, str]]:
        """Count one call; return whether it may proceed and the headers to send either way."""
        exhausted, states = hit_all(self._for(owner), self.clock)
        if exhausted is not None:
            return False, rate_headers(states[exhausted])
        closest = min(states.values(), key=lambda s: s.remaining)  # fewest calls left; spike wins ties
        return True, rate_headers(closest)
