"""Request plumbing shared by the route modules: exact JSON in and out, company and project scope."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import Request
from starlette.responses import Response

from sandbox.procore.context import CallContext, WriteContext
from sandbox.procore.errors import ProcoreError, bad_request, not_found
from sandbox.procore.money import decimalize, render_json
from sandbox.procore.store import Store, iso


def respond(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(render_json(content), status, headers, media_type="application/json; charset=utf-8")


async def read_body(request: Request) -> dict[str, Any]:
    """The JSON object sent, with amounts parsed exactly; Procore answers 400 to anything else."""
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"the request body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    return body


def wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
    """Procore nests a record's attributes under its name (``{"vendor": {...}}``), as Rails params do."""
    attrs = body.get(key)
    if not isinstance(attrs, dict) or not attrs:
        raise bad_request(f"param is missing or the value is empty: {key}")
    return decimalize(attrs)


def _int(raw: Any, name: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise bad_request(f"{name} must be an integer id, got {raw!r}") from exc


def write_context(
    request: Request, store: Store, now: Any, *, project_scoped: bool, body: dict[str, Any] | None = None
) -> WriteContext:
    """Check ``company_id`` (if sent) against the company header, and find the project a call is about."""
    call: CallContext = request.state.call
    scalars = {k: v for k, v in (body or {}).items() if not isinstance(v, dict | list)}
    params = {**scalars, **request.query_params}
    for source in (request.path_params, params, body or {}):
        if (
            source.get("company_id") not in (None, "")
            and _int(source["company_id"], "company_id") != call.company_id
        ):
            raise ProcoreError(
                403, f"company_id {source['company_id']} does not match Procore-Company-Id {call.company_id}"
            )
    project = None
    if project_scoped:
        raw = (
            request.path_params.get("project_id")
            or params.get("project_id")
            or (body or {}).get("project_id")
        )
        if raw in (None, ""):
            raise bad_request("project_id is required for this endpoint (query parameter or request body)")
        project = store.get("projects", _int(raw, "project_id"))
        if project is None or store.company_of("projects", project) != call.company_id:
            raise not_found("project", raw)
    return WriteContext(store, call, project, params, iso(now))


def parent_record(
    request: Request, store: Store, now: Any, collection: str, body: dict[str, Any] | None = None
) -> tuple[WriteContext, dict[str, Any]]:
    """The live record of ``collection`` a nested route names (``{parent_id}``), in the call's project;
    404 as Procore answers for one that is deleted, unknown or elsewhere."""
    w = write_context(request, store, now, project_scoped=True, body=body)
    found = store.get(collection, request.path_params["parent_id"])
    if found is None or found.get("deleted_at") or store.project_of(collection, found) != w.project_id:
        raise not_found(collection.rstrip("s").replace("_", " "), request.path_params["parent_id"])
    return w, found
