"""``Idempotency-Key``: a retry with the same key and body gets the first answer, not a second write."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_KEY_LENGTH = 128
DEFAULT_WINDOW_SECONDS = 600.0


@dataclass
class CachedAnswer:
    fingerprint: str
    status: int
    body: bytes
    media_type: str
    stored_at: float


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), query.encode(), body])).hexdigest()


class IdempotencyCache:
    """Answers per (tenant, key) for ``window_seconds`` of sandbox time."""

    def __init__(self, window_seconds: float = DEFAULT_WINDOW_SECONDS) -> None:
        self.window_seconds = window_seconds
        self._answers: dict[tuple[str, str], CachedAnswer] = {}

    def get(self, tenant_id: str, key: str, now: float) -> CachedAnswer | None:
        cached = self._answers.get((tenant_id, key))
        if cached is not None and now - cached.stored_at > self.window_seconds:
            del self._answers[(tenant_id, key)]
            return None
        return cached

    def put(self, tenant_id: str, key: str, answer: CachedAnswer) -> None:
        self._answers[(tenant_id, key)] = answer
