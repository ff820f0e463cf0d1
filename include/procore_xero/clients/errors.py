"""What a client raises. Messages name the method and path, never a token (they pass through ``redact``)."""

from __future__ import annotations

from datetime import datetime

from procore_xero.clients.redact import redact


class ClientError(Exception):
    """Base of every error the API clients raise."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class ConfigurationError(ClientError):
    """A client or token store cannot work with the configuration it was given (e.g. no encryption key)."""


class AuthError(ClientError):
    """The token endpoint refused (``invalid_grant``, ``invalid_client``…): the connection needs attention."""

    def __init__(self, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code


class ApiError(ClientError):
    """A call failed for good: ``method``, ``path`` and ``status`` (None when no answer came)."""

    def __init__(self, method: str, path: str, status: int | None, detail: str) -> None:
        self.method, self.path, self.status, self.detail = method, path, status, redact(detail)
        where = f"{method} {path}"
        super().__init__(f"{where} failed with {status}: {detail}" if status else f"{where} failed: {detail}")


class RequestRejected(ApiError):
    """A 4xx answer other than 401/429: the request itself is wrong (validation, not found, conflict)."""

    def __init__(self, method: str, path: str, status: int, detail: str, body: object) -> None:
        super().__init__(method, path, status, detail)
        self.body = body


class ServiceUnavailable(ApiError):
    """5xx answers, timeouts or dropped connections outlasted the retries (or the call was not retryable).

    ``maybe_applied`` is True for a write that got no answer: it may have been processed, so reconcile
    (look it up by its natural key) before sending it again.
    """

    def __init__(
        self, method: str, path: str, status: int | None, detail: str, *, attempts: int, maybe_applied: bool
    ) -> None:
        super().__init__(method, path, status, f"{detail} after {attempts} attempt(s)")
        self.attempts = attempts
        self.maybe_applied = maybe_applied


class MalformedResponse(ServiceUnavailable):
    """A success status whose body is not usable JSON (an HTML proxy page, a cut-off body), on every try:
    the message says which call and what was wrong with the body. A write may have been applied."""


class RateLimitExhausted(ApiError):
    """A rate limit is spent and resets too late to wait for in this task.

    ``limit`` names it (``daily``, ``hourly``…), ``resets_at`` is when it frees up (UTC), ``page`` the
    page being fetched (None outside paging): stop cleanly, keep what was fetched, resume from there.
    """

    def __init__(self, method: str, path: str, limit: str, resets_at: datetime, page: int | None) -> None:
        super().__init__(method, path, 429, f"{limit} rate limit reached; resets at {resets_at.isoformat()}")
        self.limit, self.resets_at, self.page = limit, resets_at, page


class DailyLimitReached(RateLimitExhausted):
    """Xero's per-tenant daily call limit is spent (``X-Rate-Limit-Problem: daily``): never sleep on it."""
