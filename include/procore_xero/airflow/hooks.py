"""``ProcoreHook`` / ``XeroHook``: API clients built from Airflow Connections.

Connection format (what ``tools/sandbox_connections.py`` writes, and what an operator enters for the real
hosts): host = API base URL, login = client id, password = client secret; extras ``company_id`` (Procore)
or ``tenant_id`` (Xero), ``token_url``, ``grant_type`` (``client_credentials`` or ``refresh_token``) and,
for ``refresh_token``, the FIRST ``refresh_token`` only: after its first use the rotated tokens live
encrypted in the staging database (``oauth_tokens``, key ``PXSYNC_TOKEN_KEY``), one row per account.
Client-credentials access tokens are kept there too, so the tasks of a run share one token. Every
client shares its account's rate limits with the other processes through the same database
(``clients.shared_budget``); extra ``daily_limit`` sets a Xero tenant's daily limit (5,000; Starter 1,000).
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
from procore_xero.clients.errors import ConfigurationError
from procore_xero.clients.shared_budget import procore_budget, xero_budget


class _ApiHook(HttpHook):
    """Reads the Connection once; subclasses say how their service authenticates."""

    default_token_url = ""
    client_auth: ClientAuth = "basic"
    account_extra = ""

    def __init__(self, conn_id: str | None = None) -> None:
        super().__init__(method="GET", http_conn_id=conn_id or self.default_conn_name)

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

    def _auth(self, connection: Any, extra: dict[str, Any], store_key: str) -> TokenProvider:
        endpoint = TokenEndpoint(
            extra.get("token_url") or self.default_token_url,
            connection.login,
            connection.password,
            client_auth=self.client_auth,
        )
        grant = extra.get("grant_type", "client_credentials")
        if grant not in ("client_credentials", "refresh_token"):
            raise ConfigurationError(f"connection {self.http_conn_id!r}: unsupported grant_type {grant!r}")
        store = SqlTokenStore(self._staging())
        if grant == "client_credentials":
            return ClientCredentialsProvider(endpoint, store=store, store_key=store_key)
        return RefreshTokenProvider(
            endpoint, store, store_key, initial_refresh_token=extra.get("refresh_token")
        )


class ProcoreHook(_ApiHook):
    """``ProcoreHook().get_client()``: a ``ProcoreClient`` for the connection's company."""

    conn_name_attr = "procore_conn_id"
    default_conn_name = "procore_default"
    hook_name = "Procore"
    default_token_url = "https://login.procore.com/oauth/token"
    client_auth: ClientAuth = "form"
    account_extra = "company_id"

    def get_client(self, **options: Any) -> ProcoreClient:
        base_url, extra, connection = self._settings()
        company_id = int(extra["company_id"])
        auth = self._auth(connection, extra, f"procore:{company_id}")
        shared = procore_budget(self._staging(), connection.login)
        return ProcoreClient(base_url, auth, company_id, shared=shared, **options)


class XeroHook(_ApiHook):
    """``XeroHook().get_client()``: a ``XeroClient`` for the connection's tenant."""

    conn_name_attr = "xero_conn_id"
    default_conn_name = "xero_default"
    hook_name = "Xero"
    default_token_url = "https://identity.xero.com/connect/token"
    client_auth: ClientAuth = "basic"
    account_extra = "tenant_id"

    def get_client(self, **options: Any) -> XeroClient:
        base_url, extra, connection = self._settings()
        tenant_id = str(extra["tenant_id"])
        auth = self._auth(connection, extra, f"xero:{tenant_id}")
        shared = xero_budget(self._staging(), tenant_id, daily_limit=self._daily_limit(extra))
        return XeroClient(base_url, auth, tenant_id, shared=shared, **options)

    def _daily_limit(self, extra: dict[str, Any]) -> int:
        """The tenant's daily call limit (extra ``daily_limit``; Xero's default 5,000, Starter 1,000)."""
        value = extra.get("daily_limit", 5000)
        if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
            raise ConfigurationError(
                f"connection {self.http_conn_id!r}: extra daily_limit must be a whole number of calls "
                f"above 0 (5000, or 1000 on Xero's Starter tier), not {value!r}"
            )
        return int(value)
