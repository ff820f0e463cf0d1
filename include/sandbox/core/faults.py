"""Faults the tests inject through ``POST /_sandbox/faults``: the next N calls to a path misbehave."""

from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

FaultKind = Literal[
    "429",
    "500",
    "503",
    "timeout",
    "drop",
    "drop_after_write",
    "non_json",
    "truncated",
    "huge_page",
    "repeat",
    "reorder",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
DELIVERY_PATH = "/webhooks/deliver/"  # the pseudo path of an emulator's outgoing webhook deliveries
DELIVERY_ONLY = ("repeat", "reorder")  # kinds that mean nothing for an API call


@dataclass
class FaultRule:
    """One armed fault.

    ``kind``: 429 / 500 / 503 answer at once; ``timeout`` holds the answer for ``delay_seconds`` (real
    seconds) so the client times out, then processes nothing; ``drop`` closes the connection before the
    call is processed; ``drop_after_write`` processes the call (the write is applied) and then closes the
    connection without an answer. ``non_json`` answers 200 with an HTML page, as a proxy or maintenance
    page in front of the API does (nothing processed); ``truncated`` processes the call and answers its
    status and headers with only the first half of the body (a consistent ``content-length``, so the HTTP
    exchange itself is sound); ``huge_page`` answers a list call with every record from the requested page
    on, in one page, as a server that ignores the page size does. Outgoing webhook deliveries (path
    ``/webhooks/deliver/<resource>``): ``drop`` loses one, ``repeat`` sends it twice, ``reorder`` sends it
    after the events queued behind it.
    """

    kind: FaultKind
    path: str = ".*"  # regular expression searched in the request path
    method: str | None = None  # e.g. "PUT"; None = any method
    count: int = 1
    retry_after: int = 1  # seconds advertised on 429 / 503
    delay_seconds: float = 30.0
    problem: str = "minute"  # Xero's X-Rate-Limit-Problem for a 429
    fired: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if self.count < 1:
            raise ValueError("count must be at least 1")
        re.compile(self.path)

    def matches(self, method: str, path: str) -> bool:
        if self.kind in DELIVERY_ONLY and not path.startswith(DELIVERY_PATH):
            return False
        return (self.method is None or self.method.upper() == method) and re.search(
            self.path, path
        ) is not None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


class FaultInjector:
    """Armed fault rules, consumed first-come first-served by matching calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self.fired_by_kind: dict[str, int] = {}

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Disarm every rule; what already fired stays counted."""
        with self._lock:
            self._rules.clear()

    def reset(self) -> None:
        """Disarm every rule and forget what fired."""
        with self._lock:
            self._rules.clear()
            self.fired_by_kind.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """Return (and use up one shot of) the first armed rule that matches this call."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.count -= 1
                    rule.fired += 1
                    self.fired_by_kind[rule.kind] = self.fired_by_kind.get(rule.kind, 0) + 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def armed(self) -> list[dict[str, object]]:
        with self._lock:
            return [r.to_dict() for r in self._rules]
