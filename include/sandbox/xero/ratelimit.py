"""Xero's limits: per tenant 5 in flight, 60/minute, 5,000/day (Starter 1,000/day); per app 10,000/minute."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.core.clock import SandboxClock
from sandbox.core.ratelimit import Window, WindowState, hit_all

DEFAULTS = {"minute": 60, "daily": 5000, "concurrent": 5, "app_minute": 10000}
TIER_DAILY = {"starter": 1000}
LIMIT_KEYS = frozenset(DEFAULTS)


@dataclass
class TenantLimits:
    minute: Window
    daily: Window
    concurrent: int
    in_flight: int = 0

    def describe(self) -> dict[str, int]:
        return {
            "minute": self.minute.limit,
            "daily": self.daily.limit,
            "concurrent": self.concurrent,
            "in_flight": self.in_flight,
        }


@dataclass
class Verdict:
    """The outcome of admitting one call: ``problem`` is None when it may proceed."""

    problem: str | None
    headers: dict[str, str] = field(default_factory=dict)


class XeroLimiter:
    def __init__(self, clock: SandboxClock, tiers: dict[str, str]) -> None:
        self.clock = clock
        self.tenants = {
            tenant_id: TenantLimits(
                Window(DEFAULTS["minute"], 60),
                Window(TIER_DAILY.get(tier, DEFAULTS["daily"]), 86400),
                DEFAULTS["concurrent"],
            )
            for tenant_id, tier in tiers.items()
        }
        self.app_windows: dict[str, Window] = {}
        self.app_minute = DEFAULTS["app_minute"]

    def _app_window(self, client_id: str) -> Window:
        return self.app_windows.setdefault(client_id, Window(self.app_minute, 60))

    def admit(self, tenant_id: str, client_id: str) -> Verdict:
        """Count a call; on success the caller must ``release()`` the tenant's in-flight slot when done."""
        limits = self.tenants[tenant_id]
        windows = {"minute": limits.minute, "daily": limits.daily, "appminute": self._app_window(client_id)}
        now = self.clock.time()
        if limits.in_flight >= limits.concurrent:
            states = {name: w.peek(now) for name, w in windows.items()}
            return Verdict(
                "concurrent", {**_remaining(states), "Retry-After": "1", "X-Rate-Limit-Problem": "concurrent"}
            )
        problem, states = hit_all(windows, self.clock)
        headers = _remaining(states)
        if problem is not None:
            headers["Retry-After"] = str(states[problem].retry_after(now))
            headers["X-Rate-Limit-Problem"] = problem
            return Verdict(problem, headers)
        limits.in_flight += 1
        return Verdict(None, headers)

    def release(self, tenant_id: str) -> None:
        self.tenants[tenant_id].in_flight -= 1

    def describe(self) -> dict[str, Any]:
        return {
            "app_minute": self.app_minute,
            "tenants": {tid: limits.describe() for tid, limits in self.tenants.items()},
        }

    def set(self, changes: dict[str, Any]) -> None:
        """``{"minute": 5}`` for every tenant, or ``{"tenant_id": ..., "daily": 10}`` for one."""
        unknown = set(changes) - LIMIT_KEYS - {"tenant_id"}
        if unknown:
            raise ValueError(
                f"unknown limit(s) {sorted(unknown)}; expected {sorted(LIMIT_KEYS)} and/or tenant_id"
            )
        for key, value in changes.items():
            if key != "tenant_id" and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{key} must be a non-negative integer")
        tenant_id = changes.get("tenant_id")
        if tenant_id is not None and tenant_id not in self.tenants:
            raise ValueError(f"unknown tenant_id {tenant_id!r}")
        targets = [self.tenants[tenant_id]] if tenant_id else list(self.tenants.values())
        for limits in targets:
            limits.minute.resize(changes.get("minute"))
            limits.daily.resize(changes.get("daily"))
            if "concurrent" in changes:
                limits.concurrent = changes["concurrent"]
        if "app_minute" in changes:
            self.app_minute = changes["app_minute"]
            for window in self.app_windows.values():
                window.resize(self.app_minute)


def _remaining(states: dict[str, WindowState]) -> dict[str, str]:
    return {
        "X-MinLimit-Remaining": str(states["minute"].remaining),
        "X-DayLimit-Remaining": str(states["daily"].remaining),
        "X-AppMinLimit-Remaining": str(states["appminute"].remaining),
    }
