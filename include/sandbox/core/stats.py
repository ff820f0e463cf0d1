"""Call counters behind ``GET /_sandbox/stats``: what the client spent, per method and route."""

from __future__ import annotations

import threading
from collections import Counter


class CallStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.throttled: Counter[str] = Counter()

    def record(self, method: str, route: str, status: int) -> None:
        key = f"{method} {route}"
        with self._lock:
            self.calls[key] += 1
            self.statuses[status] += 1
            if status == 429:
                self.throttled[key] += 1

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.statuses.clear()
            self.throttled.clear()

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "total_calls": sum(self.calls.values()),
                "calls": dict(sorted(self.calls.items())),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "throttled_total": sum(self.throttled.values()),
                "throttled": dict(sorted(self.throttled.items())),
            }
