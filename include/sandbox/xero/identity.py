"""Xero's identity service: apps, rotating refresh tokens, 30-minute access tokens, tenant connections."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

ACCESS_TOKEN_SECONDS = 1800
REFRESH_GRACE_SECONDS = 1800  # a rotated refresh token still works this long after its first use
REFRESH_UNUSED_SECONDS = 60 * 86400


class GrantError(Exception):
    """An OAuth error answered as 400 ``{"error": code}`` by the token endpoint."""

    def __init__(self, code: str, description: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.description = description


@dataclass
class App:
    client_id: str
    client_secret: str
    kind: str  # "oauth_app" | "custom_connection"
    name: str
    tenant_ids: list[str]


@dataclass
class AccessToken:
    token: str
    client_id: str
    tenant_ids: list[str]
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    client_id: str
    tenant_ids: list[str]
    issued_at: float
    first_used_at: float | None = None


@dataclass
class Connection:
    id: str
    tenant_id: str
    tenant_name: str
    created: str  # ISO, as /connections writes it

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "authEventId": self.id,
            "tenantId": self.tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": self.tenant_name,
            "createdDateUtc": self.created,
            "updatedDateUtc": self.created,
        }


@dataclass
class IdentityService:
    """Token issue, rotation and lookup; every time is a sandbox-clock epoch passed in by the caller."""

    apps: dict[str, App]
    connections: dict[str, Connection]  # by tenant id
    access: dict[str, AccessToken] = field(default_factory=dict)
    refresh: dict[str, RefreshToken] = field(default_factory=dict)

    @classmethod
    def from_seed(
        cls, seed_apps: list[dict[str, Any]], tenants: list[dict[str, Any]], now: float
    ) -> IdentityService:
        apps = {
            a["client_id"]: App(
                a["client_id"],
                a["client_secret"],
                a["kind"],
                a.get("name", a["client_id"]),
                list(a["tenant_ids"]),
            )
            for a in seed_apps
        }
        connections = {
            t["tenant_id"]: Connection(
                t.get("connection_id", t["tenant_id"]),
                t["tenant_id"],
                t["name"],
                t.get("connected_at", "2025-01-02T09:00:00.0000000"),
            )
            for t in tenants
        }
        service = cls(apps, connections)
        for a in seed_apps:
            if a.get("refresh_token"):
                service.refresh[a["refresh_token"]] = RefreshToken(
                    a["refresh_token"], a["client_id"], list(a["tenant_ids"]), now
                )
        return service

    def authenticate(self, client_id: str | None, client_secret: str | None) -> App:
        app = self.apps.get(client_id or "")
        if app is None or not secrets.compare_digest(app.client_secret, client_secret or ""):
            raise GrantError("invalid_client")
        return app

    def _issue(self, app: App, now: float, *, with_refresh: bool) -> dict[str, Any]:
        token = AccessToken(
            secrets.token_urlsafe(32), app.client_id, list(app.tenant_ids), now + ACCESS_TOKEN_SECONDS
        )
        self.access[token.token] = token
        answer: dict[str, Any] = {
            "access_token": token.token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": "accounting.transactions accounting.contacts "
            "accounting.settings accounting.reports.read offline_access",
        }
        if with_refresh:
            refresh = RefreshToken(secrets.token_urlsafe(32), app.client_id, list(app.tenant_ids), now)
            self.refresh[refresh.token] = refresh
            answer["refresh_token"] = refresh.token
        else:
            answer["scope"] = answer["scope"].replace(" offline_access", "")
        return answer

    def grant(self, form: dict[str, str], app: App, now: float) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            if app.kind != "custom_connection":
                raise GrantError("unauthorized_client")
            return self._issue(app, now, with_refresh=False)
        if grant_type == "refresh_token":
            return self._refresh(form.get("refresh_token") or "", app, now)
        if grant_type == "authorization_code":
            raise GrantError(
                "invalid_grant", "the sandbox has no login page: start from the seed's refresh token"
            )
        raise GrantError("unsupported_grant_type")

    def _refresh(self, presented: str, app: App, now: float) -> dict[str, Any]:
        token = self.refresh.get(presented)
        if (
            token is None
            or token.client_id != app.client_id
            or now > token.issued_at + REFRESH_UNUSED_SECONDS
        ):
            raise GrantError("invalid_grant")
        if token.first_used_at is None:
            token.first_used_at = now
        elif now > token.first_used_at + REFRESH_GRACE_SECONDS:
            del self.refresh[presented]
            raise GrantError("invalid_grant")
        return self._issue(app, now, with_refresh=True)

    def bearer(self, token: str) -> AccessToken | None:
        return self.access.get(token)

    def revoke_all(self) -> int:
        count = len(self.access) + len(self.refresh)
        self.access.clear()
        self.refresh.clear()
        return count
