"""API clients for Procore and Xero: OAuth token providers, paging, throttling, retries, call counts.

Build a client from plain configuration (the Airflow hooks do this from Connections)::

    endpoint = TokenEndpoint(token_url, client_id, client_secret, client_auth="form")
    procore = ProcoreClient(base_url, ClientCredentialsProvider(endpoint), company_id)
    store = SqlTokenStore(staging_engine)  # needs PXSYNC_TOKEN_KEY
    xero_auth = RefreshTokenProvider(TokenEndpoint(..., client_auth="basic"), store, f"xero:{tenant_id}")
    xero = XeroClient(base_url, xero_auth, tenant_id)
"""

from procore_xero.clients.auth import (
    ClientCredentialsProvider,
    RefreshTokenProvider,
    TokenEndpoint,
    TokenProvider,
)
from procore_xero.clients.errors import (
    ApiError,
    AuthError,
    ClientError,
    ConfigurationError,
    DailyLimitReached,
    MalformedResponse,
    RateLimitExhausted,
    RequestRejected,
    ServiceUnavailable,
)
from procore_xero.clients.procore import ProcoreClient, SyncResult
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.token_store import SqlTokenStore, StoredToken, TokenCipher, TokenStore
from procore_xero.clients.xero import ElementResult, XeroClient

__all__ = [
    "ApiError",
    "AuthError",
    "ClientCredentialsProvider",
    "ClientError",
    "ConfigurationError",
    "DailyLimitReached",
    "ElementResult",
    "MalformedResponse",
    "ProcoreClient",
    "RateLimitExhausted",
    "RefreshTokenProvider",
    "RequestRejected",
    "RetryPolicy",
    "ServiceUnavailable",
    "SqlTokenStore",
    "StoredToken",
    "SyncResult",
    "TokenCipher",
    "TokenEndpoint",
    "TokenProvider",
    "TokenStore",
    "XeroClient",
]
