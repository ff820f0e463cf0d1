"""The requests a client sent, as the emulator received them (``GET /_sandbox/requests``), so a test can check
every call the sync made against the service's published contract in the same run."""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any

MAX_ENTRIES = 20_000  # a demo round trip sends ~2,000; older entries are dropped (and counted) beyond this
MAX_BODY_BYTES = 4_000_000  # a full sync action (1,000 records) stays well below this


class RequestLog:
    """A bounded, thread-safe record of method, path, route template, query parameters and JSON body."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=max_entries)
        self._dropped = 0

    def record(
        self, method: str, path: str, route: str, query: list[tuple[str, str]], body: bytes, status: int
    ) -> None:
        entry = {
            "method": method,
            "path": path,
            "route": route,
            "query": [list(pair) for pair in query],
            "body": _json_or_text(body),
            "status": status,
        }
        with self._lock:
            if len(self._entries) == self._entries.maxlen:
                self._dropped += 1
            self._entries.append(entry)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped = 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": list(self._entries), "dropped": self._dropped}


def _json_or_text(body: bytes) -> Any:
    """The parsed JSON body; a form or non-JSON body as text (a truncated one says so); no body: None."""
    if not body:
        return None
    if len(body) > MAX_BODY_BYTES:
        return {"_truncated_bytes": len(body)}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")
