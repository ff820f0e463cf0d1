"""Counts the API calls a client makes, per method and path template, for the run log."""

from __future__ import annotations

import re
import threading
from collections import Counter

_ID_SEGMENT = re.compile(
    r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)


def path_template(path: str) -> str:
    """``/rest/v1.0/projects/123/direct_costs`` → ``/rest/v1.0/projects/{id}/direct_costs`` (also GUIDs)."""
    return "/".join("{id}" if _ID_SEGMENT.match(part) else part for part in path.split("/"))


class CallCounter:
    """Every HTTP request sent (retries and 429s included: they spend the same quota)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()

    def count(self, method: str, path: str) -> None:
        with self._lock:
            self._calls[f"{method} {path_template(path)}"] += 1

    def snapshot(self) -> dict[str, int]:
        """``{"GET /api.xro/2.0/Invoices": 3, ...}``: plain data, safe for XCom."""
        with self._lock:
            return dict(sorted(self._calls.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._calls.values())
