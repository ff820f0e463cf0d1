"""Direct cost lines on their own v1.0 endpoints: the line-items sync, lists, show, create, update, delete.

The v1.0 direct cost sync publishes no lines, so an integration writes a direct cost first, then its lines
through ``PATCH …/direct_costs/line_items/sync``: each line found by ``id``, else by ``origin_id`` (unique
per company among direct cost lines), else created on the direct cost its ``direct_cost_id`` names (the
field the published line create body ``LineItem2`` carries). Lines live inside their direct cost's record,
whose ``grand_total`` follows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.builders import cost_line
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import ProcoreError, RecordInvalid, not_found
from sandbox.procore.filters import apply_filters
from sandbox.procore.g702 import ZERO
from sandbox.procore.http import read_body, respond, wrapped, write_context
from sandbox.procore.money import decimalize
from sandbox.procore.paging import paginate
from sandbox.procore.views import direct_cost_line_view
from sandbox.procore.writes import MAX_SYNC_RECORDS

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

BASE = "/rest/v1.0/projects/{project_id:int}/direct_costs"
LINE_FILTERS = frozenset(
    {"id", "direct_cost_id", "created_at", "updated_at", "cost_code_id", "line_item_type_id"}
)
LINE_FIELDS = {
    "direct_cost_id": lambda line: line["holder"]["id"],
    "cost_code_id": lambda line: line["cost_code"]["id"],
    "line_item_type_id": lambda line: line["line_item_type"]["id"],
}


def add_cost_line_routes(app: FastAPI, service: ProcoreService) -> None:
    def context(request: Request, body: dict[str, Any] | None = None) -> WriteContext:
        return write_context(request, service.store, service.clock.now(), project_scoped=True, body=body)

    def costs(w: WriteContext) -> list[dict[str, Any]]:
        return [
            c
            for c in w.store.rows("direct_costs")
            if c.get("project_id") == w.project_id and not c.get("deleted_at")
        ]

    def cost_of(w: WriteContext, cost_id: Any, field: str = "direct_cost_id") -> dict[str, Any]:
        found = next((c for c in costs(w) if c["id"] == cost_id), None)
        if found is None:
            raise RecordInvalid.field(
                field, f"direct cost {cost_id!r} does not exist in project {w.project_id}"
            )
        owner = w.store.origin_owner.get(("direct_costs", found["id"]))
        if found.get("origin_id") is not None and owner != w.call.client_id:
            raise RecordInvalid.field(
                "direct_cost_id",
                f"direct cost {found['id']} is synced by another integration (origin_id "
                f"{found['origin_id']!r}) and its lines cannot be changed by this app",
            )
        return found

    def held(w: WriteContext) -> list[dict[str, Any]]:
        """Every line of the project's direct costs, with its ``holder``."""
        return [
            {**line, "holder": {"id": cost["id"], "holder_type": "DirectCost"}}
            for cost in costs(w)
            for line in cost["line_items"]
        ]

    def shown(line: dict[str, Any]) -> dict[str, Any]:
        return {**direct_cost_line_view(line), "holder": line["holder"]}

    def listing(request: Request, lines: list[dict[str, Any]], drop: tuple[str, ...] = ()) -> Response:
        found = apply_filters(lines, request.query_params, LINE_FIELDS, LINE_FILTERS)
        page, headers = paginate(found, request.url, request.query_params)
        views = ({k: v for k, v in shown(line).items() if k not in drop} for line in page)
        return respond(list(views), headers=headers)

    def save_line(
        w: WriteContext, cost: dict[str, Any], attrs: dict[str, Any], existing: dict | None
    ) -> dict:
        """Create or replace one line of ``cost``; the cost's total and timestamp follow."""
        origin = attrs.get("origin_id")
        if origin not in (None, ""):
            clash = next((h for h in held_all(w) if h.get("origin_id") == str(origin)), None)
            if clash is not None and (existing is None or clash["id"] != existing["id"]):
                raise RecordInvalid.field(
                    "origin_id", f"has already been taken: direct cost line {clash['id']} carries {origin!r}"
                )
        merged = {**_line_attrs(existing), **attrs} if existing else attrs
        line_id = existing["id"] if existing else w.store.new_id("direct_cost_line_items")
        position = existing["position"] if existing else len(cost["line_items"]) + 1
        line = cost_line(w, merged, line_id, position)
        if existing:
            line["created_at"] = existing["created_at"]
            cost["line_items"] = [line if li["id"] == line_id else li for li in cost["line_items"]]
        else:
            cost["line_items"] = [*cost["line_items"], line]
        cost["grand_total"] = sum((li["amount"] for li in cost["line_items"]), ZERO)
        cost["updated_at"] = w.now
        w.store.touch("direct_costs", cost, "update")
        return {**line, "holder": {"id": cost["id"], "holder_type": "DirectCost"}}

    def held_all(w: WriteContext) -> list[dict[str, Any]]:
        """Lines of every direct cost in the company: line origin_ids are unique per company."""
        return [
            line
            for cost in w.store.in_company("direct_costs", w.call.company_id)
            for line in cost["line_items"]
        ]

    def find_line(w: WriteContext, cost_id: int, line_id: int) -> tuple[dict, dict]:
        for line in held(w):
            if line["id"] == line_id and line["holder"]["id"] == cost_id:
                return cost_of(w, cost_id), line
        raise not_found("direct cost line item", line_id)

    async def sync_lines(request: Request) -> Response:
        body = await read_body(request)
        updates = body.get("updates")
        if not isinstance(updates, list):
            raise ProcoreError(400, "param is missing or the value is empty: updates (a list of line items)")
        if len(updates) > MAX_SYNC_RECORDS:
            raise ProcoreError(
                413, f"a sync call takes at most {MAX_SYNC_RECORDS} records; this one sent {len(updates)}"
            )
        w = context(request, body)
        entities, errors = [], []
        for attrs in decimalize(updates):
            try:
                if not isinstance(attrs, dict):
                    raise RecordInvalid.field("base", f"each update must be an object, got {attrs!r}")
                entities.append(shown(sync_one(w, attrs)))
            except RecordInvalid as exc:
                errors.append(
                    {**(attrs if isinstance(attrs, dict) else {"value": attrs}), "errors": exc.errors}
                )
        return respond({"entities": entities, "errors": errors})

    def sync_one(w: WriteContext, attrs: dict[str, Any]) -> dict[str, Any]:
        lines = held(w)
        if attrs.get("id") is not None:
            existing = next((line for line in lines if line["id"] == attrs["id"]), None)
            if existing is None:
                raise RecordInvalid.field("id", "Entity with this ID not found")
        else:
            origin = attrs.get("origin_id")
            existing = next(
                (li for li in lines if origin not in (None, "") and li.get("origin_id") == str(origin)), None
            )
        if existing is not None:
            if attrs.get("direct_cost_id") not in (None, existing["holder"]["id"]):
                raise RecordInvalid.field(
                    "direct_cost_id",
                    f"line {existing['id']} belongs to direct cost {existing['holder']['id']}",
                )
            return save_line(w, cost_of(w, existing["holder"]["id"]), attrs, existing)
        if attrs.get("direct_cost_id") is None:
            raise RecordInvalid.field("direct_cost_id", "can't be blank: a new line needs its direct cost")
        return save_line(w, cost_of(w, attrs["direct_cost_id"]), attrs, None)

    async def list_project_lines(request: Request) -> Response:
        return listing(request, held(context(request)), drop=("origin_data",))  # not in this list's model

    async def list_cost_lines(request: Request, parent_id: int) -> Response:
        w = context(request)
        if not any(c["id"] == parent_id for c in costs(w)):
            raise not_found("direct cost", parent_id)
        return listing(request, [line for line in held(w) if line["holder"]["id"] == parent_id])

    async def create_line(request: Request, parent_id: int) -> Response:
        body = await read_body(request)
        w = context(request, body)
        try:
            cost = cost_of(w, parent_id)
        except RecordInvalid as exc:
            raise not_found("direct cost", parent_id) from exc
        return respond(shown(save_line(w, cost, wrapped(body, "line_item"), None)), status=201)

    async def show_line(request: Request, parent_id: int, record_id: int) -> Response:
        w = context(request)
        line = next((li for li in held(w) if li["id"] == record_id and li["holder"]["id"] == parent_id), None)
        if line is None:
            raise not_found("direct cost line item", record_id)
        return respond(shown(line))

    async def update_line(request: Request, parent_id: int, record_id: int) -> Response:
        body = await read_body(request)
        w = context(request, body)
        cost, line = find_line(w, parent_id, record_id)
        return respond(shown(save_line(w, cost, wrapped(body, "line_item"), line)))

    async def delete_line(request: Request, parent_id: int, record_id: int) -> Response:
        w = context(request)
        cost, _ = find_line(w, parent_id, record_id)
        cost["line_items"] = [li for li in cost["line_items"] if li["id"] != record_id]
        cost["grand_total"] = sum((li["amount"] for li in cost["line_items"]), ZERO)
        cost["updated_at"] = w.now
        w.store.touch("direct_costs", cost, "update")
        return Response(status_code=204)

    one = f"{BASE}/{{parent_id:int}}/line_items"
    app.add_api_route(f"{BASE}/line_items/sync", sync_lines, methods=["PATCH"], name="sync direct cost lines")
    app.add_api_route(
        f"{BASE}/line_items", list_project_lines, methods=["GET"], name="list direct cost lines"
    )
    app.add_api_route(one, list_cost_lines, methods=["GET"], name="list one direct cost's lines")
    app.add_api_route(one, create_line, methods=["POST"], name="create direct cost line")
    app.add_api_route(f"{one}/{{record_id:int}}", show_line, methods=["GET"], name="show direct cost line")
    app.add_api_route(
        f"{one}/{{record_id:int}}", update_line, methods=["PATCH"], name="update direct cost line"
    )
    app.add_api_route(
        f"{one}/{{record_id:int}}", delete_line, methods=["DELETE"], name="delete direct cost line"
    )


def _line_attrs(line: dict[str, Any]) -> dict[str, Any]:
    """A stored line as write attributes, so an update changes only what it sends."""
    return {
        "description": line["description"],
        "quantity": line["quantity"],
        "unit_cost": line["unit_cost"],
        "uom": line["uom"],
        "amount": line["amount"],
        "cost_code_id": line["cost_code"]["id"],
        "line_item_type_id": line["line_item_type"]["id"],
        "origin_id": line.get("origin_id"),
        "origin_data": line.get("origin_data"),
    }
