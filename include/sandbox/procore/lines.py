"""Lines under a parent: commitment schedules of values, prime contract lines, budget view detail rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.budget import detail_rows
from sandbox.procore.builders import LOCKED_COMMITMENT_STATUSES
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid, not_found
from sandbox.procore.fields import priced_line
from sandbox.procore.filters import apply_filters
from sandbox.procore.g702 import ZERO
from sandbox.procore.http import read_body, respond, wrapped, write_context
from sandbox.procore.money import as_numbers
from sandbox.procore.paging import paginate
from sandbox.procore.views import prime_contract_line_view

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

V10 = "/rest/v1.0"


def add_line_routes(app: FastAPI, service: ProcoreService) -> None:
    def parent(
        request: Request, collection: str, body: dict[str, Any] | None = None
    ) -> tuple[WriteContext, dict]:
        w = write_context(request, service.store, service.clock.now(), project_scoped=True, body=body)
        found = service.store.get(collection, request.path_params["parent_id"])
        if found is None or found.get("deleted_at") or found["project_id"] != w.project_id:
            raise not_found(collection.rstrip("s").replace("_", " "), request.path_params["parent_id"])
        return w, found

    def listing(request: Request, rows: list[dict[str, Any]]) -> Response:
        page, headers = paginate(
            apply_filters(rows, request.query_params, {}), request.url, request.query_params
        )
        return respond(list(page), headers=headers)

    def sov_routes(collection: str) -> None:
        async def list_sov(request: Request) -> Response:
            _, contract = parent(request, collection)
            rows = [
                li
                for li in service.store.rows("commitment_line_items")
                if li["contract_id"] == contract["id"]
            ]
            return listing(request, sorted(rows, key=lambda line: line["position"]))

        async def add_sov(request: Request) -> Response:
            body = await read_body(request)
            w, contract = parent(request, collection, body)
            if contract["status"] in LOCKED_COMMITMENT_STATUSES:
                raise RecordInvalid.field(
                    "status",
                    f"the schedule of values of a commitment that is {contract['status']} cannot change",
                )
            lines = [
                li
                for li in service.store.rows("commitment_line_items")
                if li["contract_id"] == contract["id"]
            ]
            line = priced_line(w, wrapped(body, "line_item"), service.store.new_id("commitment_line_items"))
            line.update(
                contract_id=contract["id"],
                project_id=w.project_id,
                position=len(lines) + 1,
                created_at=w.now,
                updated_at=w.now,
            )
            service.store.put("commitment_line_items", line, w.call.company_id)
            contract["grand_total"] = sum((li["amount"] for li in [*lines, line]), ZERO)
            contract["updated_at"] = w.now
            return respond(line, status=201)

        path = f"{V10}/{collection}/{{parent_id:int}}/line_items"
        app.add_api_route(path, list_sov, methods=["GET"], name=f"list {collection} line items")
        app.add_api_route(path, add_sov, methods=["POST"], name=f"create {collection} line item")

    sov_routes("work_order_contracts")
    sov_routes("purchase_order_contracts")

    async def list_prime_lines(request: Request) -> Response:
        _, contract = parent(request, "prime_contracts")
        rows = [
            line
            for line in service.store.rows("prime_contract_line_items")
            if line["contract_id"] == contract["id"]
        ]
        ordered = [prime_contract_line_view(line) for line in sorted(rows, key=lambda line: line["position"])]
        return listing(request, ordered)

    async def list_detail_rows(request: Request) -> Response:
        w, _ = parent(request, "budget_views")
        assert w.project_id is not None
        return listing(request, as_numbers(detail_rows(service.store, w.project_id)))  # published numbers

    app.add_api_route(
        f"{V10}/prime_contracts/{{parent_id:int}}/line_items",
        list_prime_lines,
        methods=["GET"],
        name="list prime contract line items",
    )
    app.add_api_route(
        f"{V10}/budget_views/{{parent_id:int}}/detail_rows",
        list_detail_rows,
        methods=["GET"],
        name="list budget view detail rows",
    )
