"""The FastAPI app: identity routes and the Accounting API routes on Xero's real paths."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.core.admin import admin_router, require_loopback
from sandbox.core.middleware import ADMIN_PREFIX
from sandbox.xero import errors, query, views
from sandbox.xero.controller import ActionError, run_controller
from sandbox.xero.dates import parse_date, parse_http_date, to_msdate
from sandbox.xero.gateway import Call, Handler, accounting_call
from sandbox.xero.identity import GrantError
from sandbox.xero.jsonout import XeroJSONResponse
from sandbox.xero.reference import add_tracking_option
from sandbox.xero.reports import ReportError, profit_and_loss
from sandbox.xero.resources import RESOURCES, Resource
from sandbox.xero.service import XeroService
from sandbox.xero.writes import delete_payment_write, drop_nulls, elements_of, write_batch

API = "/api.xro/2.0"
# GET /Contacts/{ContactNumber} and /Invoices/{InvoiceNumber} work as well as ids.
_NUMBER_FIELDS = {
    "Contacts": "ContactNumber",
    "Invoices": "InvoiceNumber",
    "PurchaseOrders": "PurchaseOrderNumber",
    "Items": "Code",
}


def envelope(call: Call, payload: dict[str, Any]) -> XeroJSONResponse:
    """Xero wraps every answer in Id / Status / ProviderName / DateTimeUTC."""
    app = call.service.identity.apps[call.token.client_id]
    return XeroJSONResponse(
        {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": app.name,
            "DateTimeUTC": to_msdate(call.now),
            **drop_nulls(payload),  # Xero leaves a field without a value out; it never writes null
        }
    )


async def _json_body(call: Call) -> Any:
    raw = await call.request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise BodyError(f"The request body is not valid JSON: {exc}") from None


class BodyError(ValueError):
    pass


def _client_auth(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return None, None
    return form.get("client_id"), form.get("client_secret")


class ConnectionsAnyCase:
    """Xero answers ``/Connections`` (as its SDKs write it) as well as ``/connections``: a plain ASGI step,
    so no other call pays for it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].lower() == "/connections":
            scope = {**scope, "path": "/connections"}
        await self.app(scope, receive, send)


def identity_routes(app: FastAPI, service: XeroService) -> None:
    @app.post("/connect/token")
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        try:
            client = service.identity.authenticate(*_client_auth(request, form))
            answer = service.identity.grant(form, client, service.clock.time())
        except GrantError as exc:
            body = {"error": exc.code, **({"error_description": exc.description} if exc.description else {})}
            return JSONResponse(body, status_code=400)
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    app.add_middleware(ConnectionsAnyCase)

    @app.get("/connections")
    async def connections(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = service.identity.bearer(header[7:].strip()) if header.lower().startswith("bearer ") else None
        if token is None or service.clock.time() >= token.expires_at:
            return errors.unauthorized()
        return JSONResponse([service.identity.connections[t].view() for t in token.tenant_ids])


def _list(resource: Resource) -> Handler:
    async def handler(call: Call) -> Response:
        params, headers = call.request.query_params, call.request.headers
        name = resource.collection
        rows = list(call.tenant.records[name].values())
        try:
            rows = views.filtered(name, rows, params)
            since = headers.get("if-modified-since")
            rows = query.modified_since(rows, parse_http_date(since) if since else None)
            for param, field_name in resource.csv_filters.items():
                rows = query.csv_filter(rows, field_name, params.get(param))
            if params.get("where"):
                rows = [r for r in rows if query.compile_where(params["where"])(r)]
            if params.get("order"):
                rows = query.apply_order(rows, params["order"])
            payload: dict[str, Any] = {}
            if resource.paged:
                rows, payload["pagination"] = query.page_of(rows, params.get("page"), params.get("pageSize"))
            payload[name] = [views.shown(name, r, params, listed=True) for r in rows]
        except ValueError as exc:
            return errors.query_error(str(exc))
        return envelope(call, payload)

    return handler


def _get_one(resource: Resource) -> Handler:
    async def handler(call: Call) -> Response:
        ident = call.request.path_params["ident"]
        rows = call.tenant.records[resource.collection]
        record = rows.get(ident.lower())
        if record is None and resource.collection in _NUMBER_FIELDS:
            record = call.tenant.find(resource.collection, _NUMBER_FIELDS[resource.collection], ident)
        if record is None:
            return errors.not_found(f"{resource.collection}/{ident}")
        try:
            view = views.shown(resource.collection, record, call.request.query_params, listed=False)
        except ValueError as exc:
            return errors.query_error(str(exc))
        return envelope(call, {resource.collection: [view]})

    return handler


async def _write(call: Call, resource: Resource, elements: list[Any], method: str) -> Response:
    params = call.request.query_params
    summarize = params.get("summarizeErrors", "true").lower() != "false"
    try:
        places = views.unit_dp(params)
    except ValueError as exc:
        return errors.query_error(str(exc))
    all_ok, answers = write_batch(
        resource,
        call.tenant,
        elements,
        method=method,
        summarize=summarize,
        schemas=call.service.schemas,
        now=call.now,
        unit_dp=places,
    )
    if summarize and not all_ok:
        return errors.validation_exception([a for a in answers if a["StatusAttributeString"] == "ERROR"])
    shown = [views.shown(resource.collection, a, params, listed=False) for a in answers]
    return envelope(call, {resource.collection: shown})


def _write_many(resource: Resource, method: str) -> Handler:
    async def handler(call: Call) -> Response:
        try:
            body = await _json_body(call)
        except BodyError as exc:
            return errors.post_data_invalid(str(exc))
        elements = elements_of(resource, body)
        if elements is None:
            return errors.post_data_invalid(
                f'Expected {{"{resource.collection}": [...]}} or one element object'
            )
        return await _write(call, resource, elements, method)

    return handler


def _write_one(resource: Resource) -> Handler:
    """POST /{collection}/{id}: update that record (for Payments: ``{"Status": "DELETED"}``)."""

    async def handler(call: Call) -> Response:
        try:
            body = await _json_body(call)
        except BodyError as exc:
            return errors.post_data_invalid(str(exc))
        elements = elements_of(resource, body)
        if not elements or not isinstance(elements[0], dict):
            return errors.post_data_invalid("Expected one element object")
        ident = call.request.path_params["ident"].lower()
        if resource.collection == "Payments":
            return await _delete_payment(call, ident, drop_nulls(elements[0]))
        return await _write(call, resource, [{**elements[0], resource.id_field: ident}], "POST")

    return handler


async def _delete_payment(call: Call, ident: str, element: dict[str, Any]) -> Response:
    payment = call.tenant.records["Payments"].get(ident)
    if payment is None:
        return errors.not_found(f"Payments/{ident}")
    deleted, problems = delete_payment_write(
        call.tenant, payment, element, schemas=call.service.schemas, now=call.now
    )
    if problems or deleted is None:
        return errors.validation_exception(
            [{**element, "ValidationErrors": [{"Message": m} for m in problems]}]
        )
    return envelope(call, {"Payments": [deleted]})


async def _put_option(call: Call) -> Response:
    ident = call.request.path_params["ident"].lower()
    category = call.tenant.records["TrackingCategories"].get(ident)
    if category is None:
        return errors.not_found(f"TrackingCategories/{ident}")
    try:
        body = drop_nulls(await _json_body(call))
    except BodyError as exc:
        return errors.post_data_invalid(str(exc))
    options = body["Options"] if isinstance(body, dict) and "Options" in body else [body]
    created, failures = [], []
    for option in options:
        problems = call.service.schemas.errors("TrackingOption", option)
        updated = None
        if not problems:
            updated, problems = add_tracking_option(category, option)
        if problems or updated is None:
            failures.append({**option, "ValidationErrors": [{"Message": m} for m in problems]})
            continue
        category = updated
        created.append(updated["Options"][-1])
    if failures:
        return errors.validation_exception(failures)
    call.tenant.put("TrackingCategories", "TrackingCategoryID", category)
    return envelope(call, {"Options": created})


async def _organisation(call: Call) -> Response:
    return envelope(call, {"Organisations": [call.tenant.organisation_view()]})


async def _currencies(call: Call) -> Response:
    return envelope(call, {"Currencies": call.tenant.currencies})


async def _profit_and_loss(call: Call) -> Response:
    params = call.request.query_params
    today = call.now.date()
    try:
        start = parse_date(params["fromDate"]).date() if params.get("fromDate") else today.replace(day=1)
        end = parse_date(params["toDate"]).date() if params.get("toDate") else _month_end(start)
    except ValueError as exc:
        return errors.query_error(str(exc))
    tracking = [
        (params[c].lower(), (params.get(o) or "").lower())
        for c, o in (("trackingCategoryID", "trackingOptionID"), ("trackingCategoryID2", "trackingOptionID2"))
        if params.get(c)
    ]
    try:
        return envelope(call, profit_and_loss(call.tenant, start, end, tracking, call.now))
    except ReportError as exc:
        return errors.query_error(str(exc))


def _month_end(start: date) -> date:
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _refusing_unimplemented(path: str, method: str, handler: Handler) -> Handler:
    """A published parameter the emulator does not implement is refused by name, never ignored."""

    async def checked(call: Call) -> Response:
        refused = views.refused_parameters(method, path, call.request.query_params)
        if refused:
            return errors.query_error(
                f"The sandbox does not implement {', '.join(refused)} on {method} {path}: "
                "see docs/fidelity.md"
            )
        return await handler(call)

    checked.__name__ = handler.__name__
    return checked


def controller_router(service: XeroService) -> APIRouter:
    """``POST /_sandbox/controller``: act as the firm's controller between sync runs (loopback only)."""
    router = APIRouter(prefix=ADMIN_PREFIX, dependencies=[Depends(require_loopback)], include_in_schema=False)

    @router.post("/controller")
    async def controller(request: Request) -> Response:
        # async on purpose: the actions run on the event loop, never interleaved with an API call
        try:
            answer = run_controller(service, await request.body())
        except ActionError as exc:
            return XeroJSONResponse({"detail": str(exc), "Elements": exc.elements}, status_code=400)
        return XeroJSONResponse(answer)

    return router


def webhook_admin_router(service: XeroService) -> APIRouter:
    """The developer portal's webhook page: subscribe a URL (intent-to-receive runs at once), deliver now."""
    router = APIRouter(prefix="/_sandbox/webhooks", dependencies=[Depends(require_loopback)])

    @router.post("")
    def subscribe(body: dict[str, Any]) -> dict[str, Any]:
        url, key = body.get("url"), body.get("key")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise HTTPException(400, f"url must be an http(s) URL, got {url!r}")
        status = service.webhooks.subscribe(url, key if isinstance(key, str) and key else None)
        service.dispatcher.start()
        return {"url": url, "key": service.webhooks.key, "status": status}

    @router.get("")
    def subscription() -> dict[str, Any]:
        hooks = service.webhooks
        return {"url": hooks.url, "status": hooks.status, "queued": len(hooks.queue), "sent": hooks.sent}

    @router.post("/deliver")
    def deliver() -> dict[str, Any]:
        return {"delivered": service.webhooks.deliver_due(), "queued": len(service.webhooks.queue)}

    return router


def create_app(service: XeroService) -> FastAPI:
    app = FastAPI(title="Xero sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(admin_router(service))
    app.include_router(controller_router(service))
    app.include_router(webhook_admin_router(service))
    identity_routes(app, service)
    guard = accounting_call(service)

    def route(path: str, handler: Handler, method: str) -> None:
        endpoint: Callable[[Request], Awaitable[Response]] = guard(
            _refusing_unimplemented(path, method, handler)
        )
        app.add_api_route(f"{API}{path}", endpoint, methods=[method], include_in_schema=False)

    route("/Reports/ProfitAndLoss", _profit_and_loss, "GET")
    route("/Organisation", _organisation, "GET")
    route("/Currencies", _currencies, "GET")
    route("/TrackingCategories/{ident}/Options", _put_option, "PUT")
    for resource in RESOURCES.values():
        route(f"/{resource.collection}", _list(resource), "GET")
        route(f"/{resource.collection}/{{ident}}", _get_one(resource), "GET")
        if resource.writable:
            route(f"/{resource.collection}", _write_many(resource, "PUT"), "PUT")
            # POST /Payments creates one payment; elsewhere POST creates or updates by id.
            route(f"/{resource.collection}", _write_many(resource, "POST"), "POST")
            route(f"/{resource.collection}/{{ident}}", _write_one(resource), "POST")
    return app
