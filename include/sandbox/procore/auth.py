"""OAuth 2.0 as Procore's login service does it: client credentials, single-use rotating refresh tokens."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any

from sandbox.core.clock import SandboxClock
from sandbox.procore.errors import ProcoreError

ACCESS_TOKEN_SECONDS = 5400

_DESCRIPTIONS = {
    "invalid_client": "Client authentication failed due to unknown client, no client authentication "
    "included, or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client.",
    "unsupported_grant_type": "The authorization grant type is not supported by the authorization server.",
}


class OAuthError(Exception):
    """An ``/oauth/token`` refusal in the RFC 6749 shape Procore's login service answers with."""

    def __init__(self, status: int, error: str, description: str | None = None):
        super().__init__(error)
        self.status = status
        self.body = {"error": error, "error_description": description or _DESCRIPTIONS[error]}


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    name: str
    company_ids: frozenset[int]


@dataclass(frozen=True)
class AccessToken:
    client: Client
    expires_at: float


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """client_id and client_secret from an HTTP Basic header, if one is sent."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


class TokenRegistry:
    """Issued tokens. Access tokens expire on the sandbox clock; a refresh token works exactly once."""

    def __init__(self, clients: list[dict[str, Any]], clock: SandboxClock) -> None:
        self.clock = clock
        self.clients = {
            c["client_id"]: Client(c["client_id"], c["client_secret"], c["name"], frozenset(c["company_ids"]))
            for c in clients
        }
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, str] = {
            c["refresh_token"]: c["client_id"] for c in clients if c.get("refresh_token")
        }

    def grant(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """Answer a token request (form body, client credentials in the form or as HTTP Basic)."""
        client_id, secret = basic_credentials(authorization) or (
            form.get("client_id"),
            form.get("client_secret"),
        )
        client = self.clients.get(client_id or "")
        if client is None or not secrets.compare_digest(client.client_secret, secret or ""):
            raise OAuthError(401, "invalid_client")
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            return self._issue(client, with_refresh=False)
        if grant_type == "refresh_token":
            token = form.get("refresh_token")
            if not token:
                raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token.")
            if self.refresh.get(token) != client.client_id:
                raise OAuthError(400, "invalid_grant")
            del self.refresh[token]  # single use: the old refresh token is dead from now on
            return self._issue(client, with_refresh=True)
        if grant_type in ("authorization_code", "password"):
            raise OAuthError(400, "invalid_grant")
        raise OAuthError(400, "unsupported_grant_type")

    def _issue(self, client: Client, *, with_refresh: bool) -> dict[str, Any]:
        now = self.clock.time()
        token = secrets.token_hex(32)
        self.access[token] = AccessToken(client, now + ACCESS_TOKEN_SECONDS)
        body: dict[str, Any] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "created_at": int(now),
        }
        if with_refresh:
            body["refresh_token"] = secrets.token_hex(32)
            self.refresh[body["refresh_token"]] = client.client_id
        return body

    def owner(self, authorization: str | None) -> str | None:
        """The client a bearer token was issued to, expired or not (rate limits count per client)."""
        token = self._bearer(authorization)
        found = self.access.get(token) if token else None
        return found.client.client_id if found else None

    def authenticate(self, authorization: str | None) -> AccessToken:
        """The live access token behind an ``Authorization: Bearer`` header, or Procore's 401."""
        token = self._bearer(authorization)
        if token is None:
            raise _unauthorized(
                "invalid_request", "No access token was sent: use 'Authorization: Bearer <token>'"
            )
        found = self.access.get(token)
        if found is None:
            raise _unauthorized("invalid_token", "The access token is invalid")
        if self.clock.time() >= found.expires_at:
            raise _unauthorized("invalid_token", "The access token expired")
        return found

    def revoke_all(self) -> int:
        count = len(self.access) + len(self.refresh)
        self.access.clear()
        self.refresh.clear()
        return count

    @staticmethod
    def _bearer(authorization: str | None) -> str | None:
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        return authorization[7:].strip() or None


def _unauthorized(error: str, description: str) -> ProcoreError:
    challenge = f'Bearer realm="Doorkeeper", error="{error}", error_description="{description}"'
    return ProcoreError(401, f"401 Unauthorized: {description}", {"WWW-Authenticate": challenge})
