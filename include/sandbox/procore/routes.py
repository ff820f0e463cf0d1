"""List, show, create, update, delete and sync routes for every resource in ``resources.RESOURCES``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.errors import ProcoreError, not_found
from sandbox.procore.filters import apply_filters
from sandbox.procore.http import read_body, respond, wrapped, write_context
from sandbox.procore.money import as_numbers, decimalize
from sandbox.procore.paging import paginate
from sandbox.procore.resources import RESOURCES, Resource
from sandbox.procore.writes import delete, in_scope, save, sync

if TYPE_CHECKING:
    from sandbox.procore.context import WriteContext
    from sandbox.procore.service import ProcoreService


def add_resource_routes(app: FastAPI, service: ProcoreService) -> None:
    for res in RESOURCES:
        _add(app, service, res)


def _add(app: FastAPI, service: ProcoreService, res: Resource) -> None:
    project_scoped = res.scope == "project"

    def answer(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """``respond`` with the resource's amounts as its published model types them."""
        return respond(as_numbers(content) if res.amounts == "number" else content, status, headers)

    def context(request: Request, body: dict[str, Any] | None = None) -> WriteContext:
        return write_context(
            request, service.store, service.clock.now(), project_scoped=project_scoped, body=body
        )

    def require(request: Request, names: tuple[str, ...], body: dict[str, Any] | None = None) -> None:
        """Procore refuses a call without a parameter it requires (one of ``names``)."""
        sent = {**request.query_params, **(body or {})}
        if names and not any(sent.get(name) not in (None, "") for name in names):
            raise ProcoreError(400, f"param is missing or the value is empty: {' or '.join(names)}")

    def find(w: WriteContext, record_id: int) -> dict[str, Any]:
        record = service.store.get(res.collection, record_id)
        if not in_scope(w, res, record) or record is None or record.get("deleted_at"):
            raise not_found(res.label, record_id)
        return record

    def keyed(request: Request) -> Callable[[dict[str, Any]], bool]:
        """Records the required key parameters (``contract_id`` of payments) name; 400 if one is absent."""
        wanted = {}
        for name in res.keyed_by:
            value = request.query_params.get(name)
            if value in (None, ""):
                raise ProcoreError(400, f"param is missing or the value is empty: {name}")
            wanted[name] = value
        return lambda r: all(str(res.keyed_by[n](r)) == v for n, v in wanted.items())

    def find_keyed(request: Request, w: WriteContext, record_id: int) -> dict[str, Any]:
        record = find(w, record_id)
        if not keyed(request)(record):
            raise not_found(res.label, record_id)
        return record

    def shown(record: dict[str, Any]) -> dict[str, Any]:
        """One record as show, create, update and sync answer it (``show_view``: completed from the store,
        in the published show model)."""
        return res.show_view(service.store, record) if res.show_view else record

    async def list_records(request: Request) -> Response:
        require(request, res.list_requires)
        w = context(request)
        selected = keyed(request)
        rows = [r for r in service.store.rows(res.collection) if in_scope(w, res, r) and selected(r)]
        found = apply_filters(rows, request.query_params, res.filters, res.generic_filters)
        view = res.list_view or (lambda r: r)
        if not res.paged:
            return answer([view(r) for r in found])
        page, headers = paginate(found, request.url, request.query_params)
        return answer([view(r) for r in page], headers=headers)

    for path in res.list_paths:
        app.add_api_route(path, list_records, methods=["GET"], name=f"list {res.collection} {path}")

    if res.sync_path and res.build:

        async def sync_records(request: Request) -> Response:
            body = await read_body(request)
            require(request, res.body_requires, body)
            if "updates" not in body:
                raise ProcoreError(400, "param is missing or the value is empty: updates")
            result = sync(context(request, body), res, decimalize(body["updates"]))
            return answer({**result, "entities": [shown(e) for e in result["entities"]]})

        app.add_api_route(res.sync_path, sync_records, methods=["PATCH"], name=f"sync {res.collection}")

    if res.item_path:

        async def show(request: Request, record_id: int) -> Response:
            require(request, res.show_requires)
            return answer(shown(find_keyed(request, context(request), record_id)))

        app.add_api_route(res.item_path, show, methods=["GET"], name=f"show {res.collection} {res.item_path}")

    if res.item_path and res.build:

        async def update(request: Request, record_id: int) -> Response:
            body = await read_body(request)
            w = context(request, body)
            return answer(shown(save(w, res, wrapped(body, res.wrapper), find(w, record_id))))

        app.add_api_route(
            res.item_path, update, methods=["PATCH"], name=f"update {res.collection} {res.item_path}"
        )

    if res.create_path and res.build:

        async def create(request: Request) -> Response:
            body = await read_body(request)
            require(request, res.body_requires, body)
            created = save(context(request, body), res, wrapped(body, res.wrapper), None)
            return answer(shown(created), status=201)

        app.add_api_route(
            res.create_path, create, methods=["POST"], name=f"create {res.collection} {res.create_path}"
        )

    if res.item_path and res.deletable:

        async def remove(request: Request, record_id: int) -> Response:
            w = context(request)
            delete(w, res, find_keyed(request, w, record_id))
            return Response(status_code=204)

        app.add_api_route(res.item_path, remove, methods=["DELETE"], name=f"delete {res.collection}")
