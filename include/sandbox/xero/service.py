"""The Xero emulator's state and sandbox controls: tenants, identity, rate limits, idempotency cache."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from starlette.responses import Response

from sandbox.core.clock import SandboxClock
from sandbox.core.dispatch import Dispatcher
from sandbox.core.faults import FaultRule
from sandbox.core.service import SandboxService
from sandbox.xero import errors
from sandbox.xero.idempotency import IdempotencyCache
from sandbox.xero.identity import IdentityService
from sandbox.xero.jsonout import plain
from sandbox.xero.ratelimit import XeroLimiter
from sandbox.xero.schema import BodySchemas
from sandbox.xero.seedload import load_tenant
from sandbox.xero.tenant import Tenant
from sandbox.xero.webhooks import XeroWebhooks


class XeroService(SandboxService):
    """Xero's Accounting API and identity service over in-memory tenants loaded from ``seed["xero"]``."""

    name = "xero"

    def __init__(
        self,
        seed_section: dict[str, Any],
        clock: SandboxClock,
        *,
        latency_ms: float = 0.0,
        spec_path: Path | None = None,
    ) -> None:
        self.schemas = BodySchemas(spec_path)
        super().__init__(seed_section, clock, latency_ms=latency_ms)
        self.dispatcher = Dispatcher(lambda: self.webhooks.deliver_due(), "xero-webhooks")

    def reset(self) -> None:
        now = self.clock.now()
        self.tenants: dict[str, Tenant] = {t["tenant_id"]: load_tenant(t, now) for t in self.seed["tenants"]}
        self.identity = IdentityService.from_seed(self.seed["apps"], self.seed["tenants"], self.clock.time())
        self.limiter = XeroLimiter(self.clock, {t.tenant_id: t.tier for t in self.tenants.values()})
        self.idempotency = IdempotencyCache()
        self.webhooks = XeroWebhooks(self.clock, self.faults)
        for tenant in self.tenants.values():
            tenant.listeners.append(partial(self._changed, tenant.tenant_id))

    def _changed(self, tenant_id: str, collection: str, record: dict[str, Any], created: bool) -> None:
        self.webhooks.changed(tenant_id, collection, record, created)

    def state(self) -> dict[str, Any]:
        return {
            "tenants": {
                tid: plain(
                    {
                        "Organisation": t.organisation,
                        "Currencies": t.currencies,
                        **{c: list(rows.values()) for c, rows in t.records.items()},
                    }
                )
                for tid, t in self.tenants.items()
            }
        }

    def credentials(self) -> dict[str, Any]:
        return {
            "token_url": "/connect/token",
            "apps": [
                {
                    k: a.get(k)
                    for k in ("name", "kind", "client_id", "client_secret", "refresh_token", "tenant_ids")
                }
                for a in self.seed["apps"]
            ],
            "tenants": [
                {"tenant_id": t.tenant_id, "name": t.name, "tier": t.tier} for t in self.tenants.values()
            ],
        }

    def limits(self) -> dict[str, Any]:
        return self.limiter.describe()

    def set_limits(self, changes: dict[str, Any]) -> None:
        self.limiter.set(changes)

    def fault_response(self, rule: FaultRule) -> Response:
        if rule.kind == "429":
            return errors.problem(
                429,
                "Too Many Requests",
                f"Rate limit exceeded: {rule.problem}",
                {"Retry-After": str(rule.retry_after), "X-Rate-Limit-Problem": rule.problem},
            )
        if rule.kind == "503":
            return errors.problem(
                503,
                "Service Unavailable",
                "The Xero API is temporarily unavailable",
                {"Retry-After": str(rule.retry_after)},
            )
        return errors.server_error()

    def revoke_tokens(self) -> int:
        return self.identity.revoke_all()
