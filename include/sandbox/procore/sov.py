"""A commitment's schedule of values (its line items): list, show, create, update, delete and sync.

Lines point to their commitment as ``holder {id, holder_type}`` and to the project as ``project {id,
name}``, as Procore publishes them. Changing a line changes the commitment's ``grand_total`` and
``updated_at``; an approved commitment's schedule of values is fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.billing import sov_lines
from sandbox.procore.builders import HOLDER_TYPES, LOCKED_COMMITMENT_STATUSES
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import ProcoreError, RecordInvalid, not_found
from sandbox.procore.fields import copy_fields, priced_line
from sandbox.procore.filters import apply_filters
from sandbox.procore.g702 import ZERO
from sandbox.procore.http import parent_record, read_body, respond, wrapped
from sandbox.procore.money import decimalize
from sandbox.procore.paging import paginate
from sandbox.procore.writes import MAX_SYNC_RECORDS

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

V10 = "/rest/v1.0"
LINES = "commitment_line_items"
LINE_FILTERS = {
    "cost_code_id": lambda line: line["cost_code"]["id"],
    "line_item_type_id": lambda line: line["line_item_type"]["id"],
}
PRICE_FIELDS = ("amount", "quantity", "unit_cost")


def add_sov_routes(app: FastAPI, service: ProcoreService, collection: str) -> None:
    """The line item routes of one commitment type (work order or purchase order contracts)."""

    def commitment(request: Request, body: dict[str, Any] | None = None) -> tuple[WriteContext, dict]:
        return parent_record(request, service.store, service.clock.now(), collection, body)

    def line_of(contract: dict[str, Any], record_id: int) -> dict[str, Any]:
        found = service.store.get(LINES, record_id)
        if found is None or found.get("deleted_at") or found["holder"]["id"] != contract["id"]:
            raise not_found("line item", record_id)
        return found

    def editable(contract: dict[str, Any]) -> None:
        if contract["status"] in LOCKED_COMMITMENT_STATUSES:
            raise RecordInvalid.field(
                "status",
                f"the schedule of values of a commitment that is {contract['status']} cannot change",
            )

    def touched(w: WriteContext, contract: dict[str, Any]) -> None:
        contract["grand_total"] = sum(
            (line["amount"] for line in sov_lines(service.store, contract["id"])), ZERO
        )
        contract["updated_at"] = w.now
        service.store.touch(collection, contract, "update")

    def save_line(
        w: WriteContext, contract: dict[str, Any], attrs: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        if existing is not None:
            kept = {
                "cost_code_id": existing["cost_code"]["id"],
                "line_item_type_id": existing["line_item_type"]["id"],
                "description": existing["description"],
                "uom": existing["uom"],
            }
            if not any(name in attrs for name in PRICE_FIELDS):
                kept.update({name: existing[name] for name in PRICE_FIELDS})
            attrs = {**kept, **attrs}
        line = priced_line(w, attrs, existing["id"] if existing else service.store.new_id(LINES))
        line.update(
            holder={"id": contract["id"], "holder_type": HOLDER_TYPES[collection]},
            project=contract["project"],
            position=existing["position"] if existing else len(sov_lines(service.store, contract["id"])) + 1,
            origin_id=existing.get("origin_id") if existing else None,
            origin_data=existing.get("origin_data") if existing else None,
            created_at=existing["created_at"] if existing else w.now,
            updated_at=w.now,
        )
        copy_fields(line, attrs, ("origin_id", "origin_data"))
        return service.store.put(LINES, line, w.call.company_id, w.project_id)

    async def list_lines(request: Request) -> Response:
        _, contract = commitment(request)
        rows = apply_filters(sov_lines(service.store, contract["id"]), request.query_params, LINE_FILTERS)
        page, headers = paginate(rows, request.url, request.query_params)
        return respond(list(page), headers=headers)

    async def show_line(request: Request, record_id: int) -> Response:
        _, contract = commitment(request)
        return respond(line_of(contract, record_id))

    async def create_line(request: Request) -> Response:
        body = await read_body(request)
        w, contract = commitment(request, body)
        editable(contract)
        line = save_line(w, contract, wrapped(body, "line_item"), None)
        touched(w, contract)
        return respond(line, status=201)

    async def update_line(request: Request, record_id: int) -> Response:
        body = await read_body(request)
        w, contract = commitment(request, body)
        editable(contract)
        line = save_line(w, contract, wrapped(body, "line_item"), line_of(contract, record_id))
        touched(w, contract)
        return respond(line)

    async def delete_line(request: Request, record_id: int) -> Response:
        w, contract = commitment(request)
        editable(contract)
        line = line_of(contract, record_id)
        line["deleted_at"] = line["updated_at"] = w.now
        service.store.touch(LINES, line, "delete")
        touched(w, contract)
        return Response(status_code=204)

    async def sync_lines(request: Request) -> Response:
        body = await read_body(request)
        w, contract = commitment(request, body)
        updates = body.get("updates")
        if not isinstance(updates, list):
            raise ProcoreError(400, "param is missing or the value is empty: updates (a list of line items)")
        if len(updates) > MAX_SYNC_RECORDS:
            raise ProcoreError(413, f"a sync call takes at most {MAX_SYNC_RECORDS} records")
        editable(contract)
        entities, errors = [], []
        for attrs in updates:
            try:
                if not isinstance(attrs, dict):
                    raise RecordInvalid.field("base", f"each update must be an object, got {attrs!r}")
                entities.append(save_line(w, contract, decimalize(attrs), _target(contract, attrs)))
            except RecordInvalid as exc:
                errors.append(
                    {**(attrs if isinstance(attrs, dict) else {"value": attrs}), "errors": exc.errors}
                )
        touched(w, contract)
        return respond({"entities": entities, "errors": errors})

    def _target(contract: dict[str, Any], attrs: dict[str, Any]) -> dict[str, Any] | None:
        if attrs.get("id") is not None:
            if not isinstance(attrs["id"], int):
                raise RecordInvalid.field("id", "Entity with this ID not found")
            try:
                return line_of(contract, attrs["id"])
            except ProcoreError as exc:
                raise RecordInvalid.field("id", "Entity with this ID not found") from exc
        origin = attrs.get("origin_id")
        if origin in (None, ""):
            return None
        return next(
            (
                line
                for line in sov_lines(service.store, contract["id"])
                if line.get("origin_id") == str(origin)
            ),
            None,
        )

    base = f"{V10}/{collection}/{{parent_id:int}}/line_items"
    one = f"{base}/{{record_id:int}}"
    app.add_api_route(f"{base}/sync", sync_lines, methods=["PATCH"], name=f"sync {collection} line items")
    app.add_api_route(base, list_lines, methods=["GET"], name=f"list {collection} line items")
    app.add_api_route(base, create_line, methods=["POST"], name=f"create {collection} line item")
    app.add_api_route(one, show_line, methods=["GET"], name=f"show {collection} line item")
    app.add_api_route(one, update_line, methods=["PATCH"], name=f"update {collection} line item")
    app.add_api_route(one, delete_line, methods=["DELETE"], name=f"delete {collection} line item")
