"""``ProcoreHook`` / ``XeroHook``: API clients built from Airflow Connections.

Connection format (what ``tools/sandbox_connections.py`` writes, and what an operator enters for the real
hosts): host = API base URL, login = client id, password = client secret; extras ``company_id`` (Procore)
or ``tenant_id`` (Xero), ``token_url``, ``grant_type`` (``client_credentials`` or ``refresh_token``) and,
for ``refresh_token``, the FIRST ``refresh_token`` only: after its first use the rotated tokens live
encrypted in the staging database (``oauth_tokens``, key ``PXSYNC_TOKEN_KEY``), one row per account.
Client-credentials access tokens are kept there too, so the tasks of a run share one token. Every
client shares its account's rate limits with the other processes through the same database
(``clients.shared_budget``); extra ``daily_limit`` sets a Xero tenant's daily limit (5,000; Starter 1,000).

Connection types ``procore`` and ``xero`` (``procore_xero.airflow.provider``) give the Connections page
labelled fields for that format and a Test button (``test_connection``); connections of type ``http``
with the same fields keep working, the hooks never read the type.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from sqlalchemy import Engine

from procore_xero.clients import (
    ClientCredentialsProvider,
    ProcoreClient,
    RefreshTokenProvider,
    SqlTokenStore,
    TokenEndpoint,
    TokenProvider,
    XeroClient,
)
from procore_xero.clients.auth import ClientAuth
from procore_xero.clients.errors import AuthError, ConfigurationError
from procore_xero.clients.redact import redact, register_secret
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.shared_budget import procore_budget, xero_budget

PROBE_TIMEOUT = (5.0, 20.0)  # connect, read: the connection test answers a person waiting on the page


def _freshly_granted(provider: ClientCredentialsProvider | RefreshTokenProvider) -> None:
    """Make ``provider`` hold a token the endpoint granted now, not one adopted from the store: only a
    grant proves the client secret. Through the store, so a rotated refresh token is kept."""
    token = provider.access_token()
    if provider.grants == 0:
        provider.invalidate(token)
        provider.access_token()


class _ApiHook(HttpHook):
    """Reads the Connection once; subclasses say how their service authenticates."""

    default_token_url = ""
    client_auth: ClientAuth = "basic"
    account_extra = ""

    def __init__(self, conn_id: str | None = None) -> None:
        super().__init__(method="GET", http_conn_id=conn_id or self.default_conn_name)

    def test_connection(self) -> tuple[bool, str]:
        """The Connections page's Test: a token freshly granted for the client id and secret (a stored one
        would hide a wrong secret; a rotated refresh token is stored as in a run), then one cheap read that
        proves the account is reachable with it. One attempt each: the operator waits for the answer.
        The message never holds a secret."""
        try:
            connection = self.get_connection(self.http_conn_id)
            register_secret(connection.password)
            register_secret(connection.extra_dejson.get("refresh_token"))
            return True, redact(self._probe(RetryPolicy(attempts=1)))
        except AuthError as error:
            hint = " (check the client id and client secret)" if error.error_code == "invalid_client" else ""
            return False, redact(f"{self.hook_name}: {error}{hint}")
        except Exception as error:  # the page shows any failure as a message, never as a crash
            return False, redact(f"{self.hook_name}: {type(error).__name__}: {error}")

    def _probe(self, retry: RetryPolicy) -> str:
        """One cheap authenticated read; returns what it found, or raises."""
        raise NotImplementedError

    def _settings(self) -> tuple[str, dict[str, Any], Any]:
        connection = self.get_connection(self.http_conn_id)
        self._set_base_url(connection)  # HttpHook's rules: host may carry the scheme, else schema / https
        extra = connection.extra_dejson
        if not extra.get(self.account_extra):
            raise ConfigurationError(f"connection {self.http_conn_id!r} has no {self.account_extra!r} extra")
        return self.base_url.rstrip("/"), extra, connection

    def api_url(self) -> str:
        """The connection's API base URL (the drift report links records on the matching web host)."""
        return self._settings()[0]

    def _staging(self) -> Engine:
        from procore_xero.staging import open_staging  # tokens and the shared rate budget live there

        return open_staging()

    def _auth(
        self, connection: Any, extra: dict[str, Any], store_key: str, probe: RetryPolicy | None
    ) -> TokenProvider:
        """The connection's token provider, sharing tokens through the store under ``store_key``.

        ``probe`` (the connection test's retry policy): the provider holds a token granted just now.
        """
        endpoint = TokenEndpoint(
            extra.get("token_url") or self.default_token_url,
            connection.login,
            connection.password,
            client_auth=self.client_auth,
            retry=probe,
        )
        grant = extra.get("grant_type") or "client_credentials"  # the form stores null when left empty
        if grant not in ("client_credentials", "refresh_token"):
            raise ConfigurationError(f"connection {self.http_conn_id!r}: unsupported grant_type {grant!r}")
        store = SqlTokenStore(self._staging())
        provider: ClientCredentialsProvider | RefreshTokenProvider
        if grant == "client_credentials":
            provider = ClientCredentialsProvider(endpoint, store=store, store_key=store_key)
        else:
            provider = RefreshTokenProvider(
                endpoint, store, store_key, initial_refresh_token=extra.get("refresh_token")
            )
        if probe is not None:
            _freshly_granted(provider)
        return provider


class ProcoreHook(_ApiHook):
    """``ProcoreHook().get_client()``: a ``ProcoreClient`` for the connection's company."""

    conn_name_attr = "procore_conn_id"
    default_conn_name = "procore_default"
    conn_type = "procore"
    hook_name = "Procore"
    default_token_url = "https://login.procore.com/oauth/token"
    client_auth: ClientAuth = "form"
    account_extra = "company_id"

    def __init__(self, procore_conn_id: str | None = None) -> None:
        super().__init__(procore_conn_id)

    def get_client(self, **options: Any) -> ProcoreClient:
        return self._client(None, **options)

    def _client(self, probe: RetryPolicy | None, **options: Any) -> ProcoreClient:
        base_url, extra, connection = self._settings()
        company_id = int(extra["company_id"])
        auth = self._auth(connection, extra, f"procore:{company_id}", probe)
        shared = procore_budget(self._staging(), connection.login)
        return ProcoreClient(base_url, auth, company_id, shared=shared, **options)

    def _probe(self, retry: RetryPolicy) -> str:
        """``GET /rest/v1.0/companies``: the companies the app may use must include the connection's."""
        client = self._client(retry, retry=retry, timeout=PROBE_TIMEOUT)
        names = {int(c["id"]): c.get("name") for c in client.get("/rest/v1.0/companies") or []}
        if client.company_id not in names:
            raise ConfigurationError(
                f"signed in, but company {client.company_id} (extra company_id) is not among the "
                f"{len(names)} companies this app may use: {sorted(names)}"
            )
        return f"Procore: signed in; company {client.company_id} ({names[client.company_id]}) is reachable"


class XeroHook(_ApiHook):
    """``XeroHook().get_client()``: a ``XeroClient`` for the connection's tenant."""

    conn_name_attr = "xero_conn_id"
    default_conn_name = "xero_default"
    conn_type = "xero"
    hook_name = "Xero"
    default_token_url = "https://identity.xero.com/connect/token"
    client_auth: ClientAuth = "basic"
    account_extra = "tenant_id"

    def __init__(self, xero_conn_id: str | None = None) -> None:
        super().__init__(xero_conn_id)

    def get_client(self, **options: Any) -> XeroClient:
        return self._client(None, **options)

    def _client(self, probe: RetryPolicy | None, **options: Any) -> XeroClient:
        base_url, extra, connection = self._settings()
        tenant_id = str(extra["tenant_id"])
        auth = self._auth(connection, extra, f"xero:{tenant_id}", probe)
        shared = xero_budget(self._staging(), tenant_id, daily_limit=self._daily_limit(extra))
        return XeroClient(base_url, auth, tenant_id, shared=shared, **options)

    def _probe(self, retry: RetryPolicy) -> str:
        """``GET /connections``: the organisations the token may use must include the connection's tenant."""
        client = self._client(retry, retry=retry, timeout=PROBE_TIMEOUT)
        names = {str(c["tenantId"]): c.get("tenantName") for c in client.connections()}
        if client.tenant_id not in names:
            raise ConfigurationError(
                f"signed in, but tenant {client.tenant_id} (extra tenant_id) is not among the "
                f"{len(names)} organisations this app is connected to: {sorted(names)}"
            )
        return f"Xero: signed in; organisation {names[client.tenant_id]} ({client.tenant_id}) is reachable"

    def _daily_limit(self, extra: dict[str, Any]) -> int:
        """The tenant's daily call limit (extra ``daily_limit``; Xero's default 5,000, Starter 1,000)."""
        value = extra.get("daily_limit")
        if value is None:  # absent, or left empty in the connection form
            return 5000
        if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
            raise ConfigurationError(
                f"connection {self.http_conn_id!r}: extra daily_limit must be a whole number of calls "
                f"above 0 (5000, or 1000 on Xero's Starter tier), not {value!r}"
            )
        return int(value)
