"""ProcoreService: the emulator's state (records, tokens, rate-limit windows) and its sandbox controls."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.responses import Response

from sandbox.core.clock import SandboxClock
from sandbox.core.dispatch import Dispatcher
from sandbox.core.faults import FaultRule
from sandbox.core.ratelimit import WindowState
from sandbox.core.service import SandboxService
from sandbox.procore.auth import TokenRegistry
from sandbox.procore.http import respond
from sandbox.procore.money import plain
from sandbox.procore.ratelimit import Limits, RateLimiter, rate_headers
from sandbox.procore.store import Store
from sandbox.procore.webhooks import Webhooks


class ProcoreService(SandboxService):
    name = "procore"

    def __init__(self, seed_section: dict[str, Any], clock: SandboxClock, *, latency_ms: float = 0.0) -> None:
        self._default_limits = Limits()
        super().__init__(seed_section, clock, latency_ms=latency_ms)
        self.dispatcher = Dispatcher(lambda: self.webhooks.deliver_due(), "procore-webhooks")

    def reset(self) -> None:
        self.store = Store(self.seed)
        self.webhooks = Webhooks(self.store, self.clock, self.faults)
        self.tokens = TokenRegistry(self.seed.get("clients", []), self.clock)
        self.rate = RateLimiter(Limits(**asdict(self._default_limits)), self.clock)

    def state(self) -> dict[str, Any]:
        return plain(self.store.dump())

    def credentials(self) -> dict[str, Any]:
        companies = [c["id"] for c in self.store.rows("companies")]
        return {
            "company_id": companies[0] if companies else None,
            "company_ids": companies,
            "token_path": "/oauth/token",
            "api_base_path": "/rest/v1.0",
            "clients": [
                {
                    k: c[k]
                    for k in ("client_id", "client_secret", "name", "company_ids", "refresh_token")
                    if k in c
                }
                for c in self.seed.get("clients", [])
            ],
        }

    def limits(self) -> dict[str, Any]:
        return asdict(self.rate.limits)

    def set_limits(self, changes: dict[str, Any]) -> None:
        self.rate.limits.update(changes)
        self.rate.resize()

    def revoke_tokens(self) -> int:
        return self.tokens.revoke_all()

    def fault_response(self, rule: FaultRule) -> Response:
        if rule.kind == "429":
            state = WindowState(False, self.rate.limits.spike, 0, self.clock.time() + rule.retry_after)
            return respond({"errors": "429 Too Many Requests: rate limit exceeded"}, 429, rate_headers(state))
        if rule.kind == "503":
            return respond(
                {"errors": "503 Service Unavailable: under heavy load; retry after Retry-After seconds"},
                503,
                {"Retry-After": str(rule.retry_after)},
            )
        return respond({"errors": "500 Internal Server Error"}, 500)
