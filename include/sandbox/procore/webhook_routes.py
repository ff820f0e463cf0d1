"""The published Webhooks API: hooks (list, create, update, delete), triggers (list, create, delete) and the
delivery log (cursor paging: ``page_size``, ``page_start`` = the last id of the previous page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.errors import ProcoreError, bad_request, not_found
from sandbox.procore.http import read_body, respond
from sandbox.procore.webhooks import EVENT_TYPES, EXCEPT, TRIGGER_NAMES, Webhooks

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

HOOKS = "/rest/v1.0/webhooks/hooks"
DELIVERY_STATUSES = ("ok", "retried", "failed", "discarded")
MAX_PAGE_SIZE = 1000


def add_webhook_routes(app: FastAPI, service: ProcoreService) -> None:
    def webhooks() -> Webhooks:
        return service.webhooks

    def scope(request: Request, body: dict[str, Any] | None = None) -> tuple[int | None, int | None]:
        """(company_id, project_id) of the call: one of them, in the caller's company."""
        sent = {**(body or {}), **request.query_params}
        company_raw, project_raw = sent.get("company_id"), sent.get("project_id")
        if company_raw in (None, "") and project_raw in (None, ""):
            raise bad_request("param is missing or the value is empty: company_id or project_id")
        company_id = request.state.call.company_id
        if project_raw not in (None, ""):
            project = service.store.get("projects", _int(project_raw, "project_id"))
            if project is None or service.store.company_of("projects", project) != company_id:
                raise not_found("project", project_raw)
            return None, project["id"]
        if _int(company_raw, "company_id") != company_id:
            raise ProcoreError(
                403, f"company_id {company_raw} does not match Procore-Company-Id {company_id}"
            )
        return company_id, None

    def hook_in_scope(request: Request, hook_id: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
        company_id, project_id = scope(request, body)
        hook = webhooks().hooks.get(hook_id)
        if hook is None or (hook["owned_by_company_id"], hook["owned_by_project_id"]) != (
            company_id,
            project_id,
        ):
            raise not_found("webhooks hook", hook_id)
        return hook

    async def list_hooks(request: Request) -> Response:
        company_id, project_id = scope(request)
        wanted = {k: request.query_params.get(k) for k in ("namespace", "api_version")}
        return respond(
            [
                h
                for h in webhooks().hooks.values()
                if (h["owned_by_company_id"], h["owned_by_project_id"]) == (company_id, project_id)
                and all(v in (None, "") or h.get(k) == v for k, v in wanted.items())
            ]
        )

    async def create_hook(request: Request) -> Response:
        body = await read_body(request)
        company_id, project_id = scope(request, body)
        attrs = _hook_attrs(body, required=True)
        hook = {
            "id": webhooks().new_id(),
            "owned_by_company_id": company_id,
            "owned_by_project_id": project_id,
            "owned_by_user_id": None,
            "namespace": None,
            "destination_headers": {},
            **attrs,
        }
        webhooks().hooks[hook["id"]] = hook
        service.dispatcher.start()
        return respond(hook, 201)

    async def update_hook(request: Request, record_id: int) -> Response:
        body = await read_body(request)
        hook = hook_in_scope(request, record_id, body)
        hook.update(_hook_attrs(body, required=False))
        return respond(hook)

    async def delete_hook(request: Request, record_id: int) -> Response:
        hook_in_scope(request, record_id)
        hooks = webhooks()
        hooks.hooks.pop(record_id)
        for trigger_id in [t for t, v in hooks.triggers.items() if v["webhook_hook_id"] == record_id]:
            hooks.triggers.pop(trigger_id)
        return Response(status_code=204)

    async def list_triggers(request: Request, parent_id: int) -> Response:
        hook_in_scope(request, parent_id)
        return respond([t for t in webhooks().triggers.values() if t["webhook_hook_id"] == parent_id])

    async def create_trigger(request: Request, parent_id: int) -> Response:
        body = await read_body(request)
        hook = hook_in_scope(request, parent_id, body)
        trigger = body.get("trigger")
        if not isinstance(trigger, dict):
            raise bad_request("param is missing or the value is empty: trigger")
        name, event_type = trigger.get("resource_name"), trigger.get("event_type")
        if name not in TRIGGER_NAMES:
            raise bad_request(f"trigger.resource_name {name!r} is not a webhooks resource")
        if event_type not in EVENT_TYPES or event_type in EXCEPT.get(name, ()):
            raise bad_request(f"trigger.event_type {event_type!r} cannot be subscribed to for {name}")
        hooks = webhooks()
        for existing in hooks.triggers.values():
            if existing["webhook_hook_id"] == parent_id and (
                existing["resource_name"],
                existing["event_type"],
            ) == (name, event_type.upper()):
                raise ProcoreError(422, {"event_type": ["has already been taken"]})
        created = {
            "id": hooks.new_id(),
            "webhook_hook_id": parent_id,
            "resource_name": name,
            "resource_id": None,
            "event_type": event_type.upper(),
            "company_id": hook["owned_by_company_id"],
            "project_id": hook["owned_by_project_id"],
            "user_id": None,
        }
        hooks.triggers[created["id"]] = created
        return respond(created, 201)

    async def delete_trigger(request: Request, parent_id: int, record_id: int) -> Response:
        hook_in_scope(request, parent_id)
        trigger = webhooks().triggers.get(record_id)
        if trigger is None or trigger["webhook_hook_id"] != parent_id:
            raise not_found("webhooks trigger", record_id)
        webhooks().triggers.pop(record_id)
        return Response(status_code=204)

    async def list_deliveries(request: Request, parent_id: int) -> Response:
        hook_in_scope(request, parent_id)
        query = request.query_params
        size = min(_int(query.get("page_size") or 100, "page_size"), MAX_PAGE_SIZE)
        start = _int(query.get("page_start") or 0, "page_start")
        status = query.get("filters[status]") or query.get("filter[status]")
        if status not in (None, "", *DELIVERY_STATUSES):
            known = ", ".join(DELIVERY_STATUSES)
            raise bad_request(f"filters[status] must be one of {known}, got {status!r}")
        rows = [
            d
            for d in webhooks().deliveries.get(parent_id, [])
            if d["id"] > start and status in (None, "", d["outcome"])
        ]
        return respond(rows[:size])

    app.add_api_route(HOOKS, list_hooks, methods=["GET"], name="list webhooks hooks")
    app.add_api_route(HOOKS, create_hook, methods=["POST"], name="create webhooks hook")
    one = f"{HOOKS}/{{record_id:int}}"
    app.add_api_route(one, update_hook, methods=["PATCH"], name="update webhooks hook")
    app.add_api_route(one, delete_hook, methods=["DELETE"], name="delete webhooks hook")
    triggers = f"{HOOKS}/{{parent_id:int}}/triggers"
    app.add_api_route(triggers, list_triggers, methods=["GET"], name="list webhooks triggers")
    app.add_api_route(triggers, create_trigger, methods=["POST"], name="create webhooks trigger")
    app.add_api_route(
        f"{triggers}/{{record_id:int}}", delete_trigger, methods=["DELETE"], name="delete webhooks trigger"
    )
    deliveries = f"{HOOKS}/{{parent_id:int}}/deliveries"
    app.add_api_route(deliveries, list_deliveries, methods=["GET"], name="list webhooks deliveries")


def _hook_attrs(body: dict[str, Any], *, required: bool) -> dict[str, Any]:
    hook = body.get("hook")
    if not isinstance(hook, dict):
        raise bad_request("param is missing or the value is empty: hook")
    for name in ("api_version", "destination_url") if required else ():
        if hook.get(name) in (None, ""):
            raise bad_request(f"param is missing or the value is empty: hook.{name}")
    url = hook.get("destination_url")
    if url is not None and not str(url).startswith(("http://", "https://")):
        raise bad_request(f"hook.destination_url must be an http(s) URL, got {url!r}")
    headers = hook.get("destination_headers")
    if headers is not None and not (
        isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())
    ):
        raise bad_request("hook.destination_headers must be an object of strings")
    allowed = ("api_version", "namespace", "destination_url", "destination_headers")
    return {k: hook[k] for k in allowed if k in hook}


def _int(raw: Any, name: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"{name} must be an integer, got {raw!r}") from exc
