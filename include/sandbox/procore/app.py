"""The Procore emulator's FastAPI app: the OAuth token endpoint, the gate every API call passes, routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.responses import Response

from sandbox.core.admin import admin_router, require_loopback
from sandbox.procore.auth import OAuthError
from sandbox.procore.context import CallContext
from sandbox.procore.cost_lines import add_cost_line_routes
from sandbox.procore.errors import ProcoreError, RecordInvalid
from sandbox.procore.http import respond
from sandbox.procore.lines import add_line_routes
from sandbox.procore.owner_invoices import add_owner_invoice_routes
from sandbox.procore.requisition_routes import add_requisition_routes
from sandbox.procore.routes import add_resource_routes
from sandbox.procore.service import ProcoreService
from sandbox.procore.webhook_routes import add_webhook_routes

API_PREFIX = "/rest/"
COMPANY_HEADER = "Procore-Company-Id"


def create_app(service: ProcoreService) -> FastAPI:
    app = FastAPI(title="Procore API (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(admin_router(service))

    @app.exception_handler(ProcoreError)
    async def procore_error(_: Request, exc: ProcoreError) -> Response:
        return respond(exc.body, exc.status, exc.headers)

    @app.exception_handler(HTTPException)
    async def router_refusal(request: Request, exc: HTTPException) -> Response:
        """Procore's router answers 404 to an operation it does not publish, even on a path that exists with
        another method (Starlette would say 405)."""
        if exc.status_code in (404, 405) and request.url.path.startswith(API_PREFIX):
            return respond({"errors": "404 Not Found"}, 404)
        return await http_exception_handler(request, exc)

    @app.exception_handler(RecordInvalid)
    async def record_invalid(_: Request, exc: RecordInvalid) -> Response:
        return respond({"errors": exc.errors}, exc.status)

    @app.middleware("http")
    async def gate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        """Every API call: counted against its client's rate limits, then bearer token and company checked."""
        if not request.url.path.startswith(API_PREFIX):
            return await call_next(request)
        authorization = request.headers.get("authorization")
        allowed, headers = service.rate.hit(service.tokens.owner(authorization) or "anonymous")
        try:
            if not allowed:
                raise ProcoreError(
                    429, "429 Too Many Requests: rate limit exceeded; wait until X-Rate-Limit-Reset"
                )
            token = service.tokens.authenticate(authorization)
            request.state.call = CallContext(
                token.client.client_id, _company(request, token.client.company_ids)
            )
            await service.simulate_latency()
            response = await call_next(request)
        except ProcoreError as exc:
            response = respond(exc.body, exc.status, exc.headers)
        response.headers.update(headers)
        return response

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        try:
            body = service.tokens.grant(
                {k: str(v) for k, v in form.items()}, request.headers.get("authorization")
            )
        except OAuthError as exc:
            return respond(exc.body, exc.status)
        return respond(body, headers={"Cache-Control": "no-store"})

    add_line_routes(app, service)
    add_requisition_routes(app, service)
    add_cost_line_routes(app, service)
    add_owner_invoice_routes(app, service)
    add_resource_routes(app, service)
    add_webhook_routes(app, service)

    @app.post("/_sandbox/webhooks/deliver", include_in_schema=False)
    def deliver_now(request: Request) -> dict[str, int]:
        """Deliver every due webhook event now (tests; the dispatcher thread does it every 0.2 s)."""
        require_loopback(request)
        return {"delivered": service.webhooks.deliver_due(), "queued": len(service.webhooks.queue)}

    def _company(request: Request, allowed: frozenset[int]) -> int:
        raw = request.headers.get(COMPANY_HEADER)
        if not raw:
            raise ProcoreError(400, f"the {COMPANY_HEADER} header is required")
        try:
            company_id = int(raw)
        except ValueError as exc:
            raise ProcoreError(400, f"{COMPANY_HEADER} must be a company id, got {raw!r}") from exc
        if service.store.get("companies", company_id) is None or company_id not in allowed:
            raise ProcoreError(403, f"this app has no access to company {company_id}")
        return company_id

    return app
