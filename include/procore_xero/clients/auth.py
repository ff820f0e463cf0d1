"""OAuth 2.0 token providers: what a client asks for a bearer token, and how tokens are renewed.

* ``ClientCredentialsProvider``: Procore service accounts and Xero custom connections. The token is
  renewed ``margin`` seconds before it expires (Procore: 5,400 s; Xero: 1,800 s); given a ``TokenStore``
  it is shared, encrypted, between the tasks of a run instead of each task asking for its own.
* ``RefreshTokenProvider``: authorization-code connections whose refresh tokens ROTATE (Xero; Procore's
  are single-use). Refreshes are serialised through a ``TokenStore`` lock; after taking it the stored
  token is read again, so a process that finds another already rotated it uses the new tokens instead of
  spending a retired refresh token. The new refresh token is committed before the access token is used.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Literal, Protocol

import requests

from procore_xero.clients.errors import AuthError
from procore_xero.clients.redact import log, register_secret
from procore_xero.clients.retry import RETRYABLE_STATUSES, RetryPolicy
from procore_xero.clients.token_store import StoredToken, TokenStore

ClientAuth = Literal["basic", "form"]  # Xero: HTTP Basic; Procore: client_id/client_secret in the form
DEFAULT_MARGIN = 300.0  # renew this long before expiry; must stay below the token lifetime


class TokenProvider(Protocol):
    """A source of bearer tokens for one connection."""

    def access_token(self) -> str:
        """A token valid for at least the provider's margin."""
        ...

    def invalidate(self, token: str) -> None:
        """The API refused ``token`` (401): do not hand it out again."""
        ...


class TokenEndpoint:
    """The token URL and client credentials; posts grants, retrying only transport failures and 5xx."""

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        client_auth: ClientAuth,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        register_secret(client_secret)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.client_auth = client_auth
        self.session = session or requests.Session()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"TokenEndpoint(token_url={self.token_url!r}, client_id={self.client_id!r})"

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """POST a grant; return the token answer or raise ``AuthError`` (with the OAuth error code only)."""
        form = dict(form)
        auth = None
        if self.client_auth == "basic":
            auth = (self.client_id, self._client_secret)
        else:
            form.update(client_id=self.client_id, client_secret=self._client_secret)
        grant_type = form["grant_type"]
        for attempt in range(1, self.retry.attempts + 1):
            try:
                answer = self.session.post(
                    self.token_url,
                    data=form,
                    auth=auth,
                    timeout=self.timeout,
                    headers={"Accept": "application/json"},
                )
            except (requests.ConnectionError, requests.Timeout):
                reason = "no answer"
            else:
                if answer.status_code == 200:
                    body: dict[str, Any] = answer.json()
                    register_secret(body.get("access_token"))
                    register_secret(body.get("refresh_token"))
                    return body
                if answer.status_code not in RETRYABLE_STATUSES and answer.status_code != 429:
                    code = _oauth_error(answer)
                    raise AuthError(
                        f"token request ({grant_type}) to {self.token_url} refused: "
                        f"{answer.status_code} {code}",
                        code,
                    )
                reason = f"HTTP {answer.status_code}"
            if attempt < self.retry.attempts:
                delay = self.retry.backoff(attempt)
                log.warning("token request (%s): %s; retry in %.2f s", grant_type, reason, delay)
                self.sleep(delay)
        raise AuthError(
            f"token request ({grant_type}) to {self.token_url} failed: {reason} "
            f"after {self.retry.attempts} attempt(s)"
        )


class _CachedTokenProvider:
    """What both providers share: the token held in memory, renewed ``margin`` seconds before expiry, a
    refused token never handed out again, and a token another process stored adopted when still good."""

    def __init__(self, endpoint: TokenEndpoint, margin: float, clock: Callable[[], float]) -> None:
        self.endpoint = endpoint
        self.margin = margin
        self.clock = clock
        self._lock = threading.Lock()
        self._token: StoredToken | None = None
        self._rejected: str | None = None
        self.grants = 0  # token requests this provider made, for the run log
        self.adopted = 0  # times it reused a token another process had stored

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or not self._token.access_valid(self.clock(), self.margin):
                self._token = self._obtain()
            assert self._token.access_token is not None
            return self._token.access_token

    def invalidate(self, token: str) -> None:
        with self._lock:
            self._rejected = token
            if self._token is not None and self._token.access_token == token:
                self._token = None

    def _obtain(self) -> StoredToken:
        raise NotImplementedError

    def _adoptable(self, stored: StoredToken | None) -> bool:
        """A stored token still valid and not the one the API just refused."""
        return (
            stored is not None
            and stored.access_token != self._rejected
            and stored.access_valid(self.clock(), self.margin)
        )


class ClientCredentialsProvider(_CachedTokenProvider):
    """Tokens from the ``client_credentials`` grant, renewed before they expire.

    Without a ``store`` the token lives in this provider only. With one, it is kept under ``store_key``
    and reused by every process until it nears expiry: an hourly run of a few hundred tasks then asks for
    one token, not one per task.
    """

    def __init__(
        self,
        endpoint: TokenEndpoint,
        *,
        scope: str | None = None,
        store: TokenStore | None = None,
        store_key: str = "",
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if store is not None and not store_key:
            raise ValueError("a shared client-credentials token needs a store_key")
        super().__init__(endpoint, margin, clock)
        self.scope = scope
        self.store = store
        self.store_key = store_key

    def __repr__(self) -> str:
        return f"ClientCredentialsProvider({self.endpoint!r})"

    def _obtain(self) -> StoredToken:
        if self.store is None:
            return self._grant()
        with self.store.locked(self.store_key) as slot:
            if self._adoptable(slot.current):
                self.adopted += 1
                assert slot.current is not None
                return slot.current
            token = self._grant()
            slot.save(token)
            return token

    def _grant(self) -> StoredToken:
        now = self.clock()
        form = {"grant_type": "client_credentials", **({"scope": self.scope} if self.scope else {})}
        answer = self.endpoint.grant(form)
        self.grants += 1
        return StoredToken(None, answer["access_token"], _expires_at(answer, now))


class RefreshTokenProvider(_CachedTokenProvider):
    """Tokens from a rotating refresh token kept in a ``TokenStore`` under ``store_key``.

    ``initial_refresh_token`` (from the consent flow, or the sandbox's credentials) is used only while the
    store holds nothing for the key; afterwards the stored, rotated token is the truth.
    """

    def __init__(
        self,
        endpoint: TokenEndpoint,
        store: TokenStore,
        store_key: str,
        *,
        initial_refresh_token: str | None = None,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        register_secret(initial_refresh_token)
        super().__init__(endpoint, margin, clock)
        self.store = store
        self.store_key = store_key
        self._initial = initial_refresh_token

    def __repr__(self) -> str:
        return f"RefreshTokenProvider({self.endpoint!r}, store_key={self.store_key!r})"

    def _obtain(self) -> StoredToken:
        with self.store.locked(self.store_key) as slot:
            current = slot.current
            if self._adoptable(current):
                self.adopted += 1
                log.info("%s: using the token another process rotated", self.store_key)
                assert current is not None
                return current
            now = self.clock()
            refresh_token = current.refresh_token if current is not None else self._initial
            if not refresh_token:
                raise AuthError(
                    f"no refresh token stored for {self.store_key!r}: authorise the connection first"
                )
            answer = self.endpoint.grant({"grant_type": "refresh_token", "refresh_token": refresh_token})
            self.grants += 1
            if not answer.get("refresh_token"):
                raise AuthError(f"the token endpoint returned no refresh token for {self.store_key!r}")
            rotated = StoredToken(answer["refresh_token"], answer["access_token"], _expires_at(answer, now))
            slot.save(rotated)
        log.info("%s: refresh token rotated and stored", self.store_key)
        return rotated


def _expires_at(answer: dict[str, Any], now: float) -> float:
    return now + float(answer.get("expires_in", 0))


def _oauth_error(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("error", "error"))
    except ValueError:
        return "error"
