"""What every emulator provides to the shared middleware and admin routes."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

from starlette.responses import Response

from sandbox.core.clock import SandboxClock
from sandbox.core.faults import FaultInjector, FaultRule
from sandbox.core.request_log import RequestLog
from sandbox.core.stats import CallStats


class SandboxService(ABC):
    """One emulated service: its in-memory state, loaded from a seed, plus the sandbox's own controls."""

    name: str

    def __init__(self, seed: dict[str, Any], clock: SandboxClock, *, latency_ms: float = 0.0) -> None:
        self.seed = seed
        self.clock = clock
        self.latency_ms = latency_ms
        self.faults = FaultInjector()
        self.stats = CallStats()
        self.requests = RequestLog()
        self.reset()

    async def simulate_latency(self) -> None:
        """Spend ``--latency-ms`` inside an admitted call, so concurrent calls overlap as on the real API."""
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)

    @abstractmethod
    def reset(self) -> None:
        """(Re)load the state from ``self.seed``: every object, token and rate-limit window afresh."""

    @abstractmethod
    def state(self) -> dict[str, Any]:
        """Every stored object, as the API would return it (``GET /_sandbox/state``)."""

    @abstractmethod
    def credentials(self) -> dict[str, Any]:
        """The seed's demo client ids and secrets, company / tenant ids, first refresh tokens."""

    @abstractmethod
    def limits(self) -> dict[str, Any]:
        """The current rate limits (``GET /_sandbox/limits``)."""

    @abstractmethod
    def set_limits(self, changes: dict[str, Any]) -> None:
        """Change rate limits for this run; unknown keys raise ``ValueError``."""

    @abstractmethod
    def fault_response(self, rule: FaultRule) -> Response:
        """The answer for an injected 429 / 500 / 503, in this service's own format and headers."""

    @abstractmethod
    def revoke_tokens(self) -> int:
        """Revoke every access and refresh token issued so far; return how many were revoked."""
