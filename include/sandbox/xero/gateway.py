"""What every Accounting API call passes through: bearer token, tenant header, rate limits, idempotency.

Handlers are wrapped by ``accounting_call``; they receive a ``Call`` and return a Response. The rate-limit
headers are added to every answer, a throttled call gets 429 and the handler never runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from sandbox.xero import errors
from sandbox.xero.idempotency import MAX_KEY_LENGTH, CachedAnswer, fingerprint
from sandbox.xero.identity import AccessToken
from sandbox.xero.tenant import Tenant

if TYPE_CHECKING:
    from sandbox.xero.service import XeroService

Handler = Callable[["Call"], Awaitable[Response]]


@dataclass
class Call:
    request: Request
    service: XeroService
    tenant: Tenant
    token: AccessToken

    @property
    def now(self) -> datetime:
        return self.service.clock.now()


def _authorise(service: XeroService, request: Request) -> Response | tuple[AccessToken, Tenant]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        return errors.unauthorized()
    token = service.identity.bearer(header[7:].strip())
    if token is None:
        return errors.unauthorized()
    if service.clock.time() >= token.expires_at:
        expired = datetime.fromtimestamp(token.expires_at, UTC)
        return errors.unauthorized(f"TokenExpired: token expired at {expired:%m/%d/%Y %H:%M:%S}")
    tenant_id = (request.headers.get("xero-tenant-id") or "").strip().lower()
    if not tenant_id or tenant_id not in token.tenant_ids or tenant_id not in service.tenants:
        return errors.forbidden()
    return token, service.tenants[tenant_id]


async def _idempotent(call: Call, handler: Handler) -> Response:
    """Replay the first answer for a repeated key + identical request; refuse the key on a different one."""
    request = call.request
    key = request.headers.get("idempotency-key")
    if key is None or request.method not in ("PUT", "POST"):
        return await handler(call)
    if len(key) > MAX_KEY_LENGTH:
        return errors.problem(
            400, "Bad Request", f"The Idempotency-Key must be {MAX_KEY_LENGTH} characters or less"
        )
    cache, now = call.service.idempotency, call.service.clock.time()
    request_print = fingerprint(request.method, request.url.path, request.url.query, await request.body())
    cached = cache.get(call.tenant.tenant_id, key, now)
    if cached is not None:
        if cached.fingerprint != request_print:
            return errors.problem(
                400,
                "Bad Request",
                f"The Idempotency-Key '{key}' has already been used with a different request",
            )
        return Response(
            cached.body,
            status_code=cached.status,
            media_type=cached.media_type,
            headers={"Idempotent-Replayed": "true"},
        )
    response = await handler(call)
    if response.status_code < 500:
        cache.put(
            call.tenant.tenant_id,
            key,
            CachedAnswer(
                request_print,
                response.status_code,
                bytes(response.body),
                response.media_type or "application/json",
                now,
            ),
        )
    return response


def accounting_call(service: XeroService) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            auth = _authorise(service, request)
            if isinstance(auth, Response):
                return auth
            token, tenant = auth
            verdict = service.limiter.admit(tenant.tenant_id, token.client_id)
            if verdict.problem is not None:
                return errors.problem(
                    429, "Too Many Requests", f"Rate limit exceeded: {verdict.problem}", verdict.headers
                )
            try:
                await service.simulate_latency()  # inside the concurrency slot, so calls overlap
                response = await _idempotent(Call(request, service, tenant, token), handler)
            finally:
                service.limiter.release(tenant.tenant_id)
            response.headers.update(verdict.headers)
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap
