"""Lines under a parent: prime contract lines, budget view detail rows (commitments' lines: ``sov``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.budget import detail_rows
from sandbox.procore.context import WriteContext
from sandbox.procore.filters import apply_filters
from sandbox.procore.http import parent_record, respond
from sandbox.procore.paging import paginate
from sandbox.procore.sov import add_sov_routes
from sandbox.procore.views import prime_contract_line_view

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

V10 = "/rest/v1.0"


def add_line_routes(app: FastAPI, service: ProcoreService) -> None:
    def parent(
        request: Request, collection: str, body: dict[str, Any] | None = None
    ) -> tuple[WriteContext, dict]:
        return parent_record(request, service.store, service.clock.now(), collection, body)

    def listing(request: Request, rows: list[dict[str, Any]]) -> Response:
        page, headers = paginate(
            apply_filters(rows, request.query_params, {}), request.url, request.query_params
        )
        return respond(list(page), headers=headers)

    for collection in ("work_order_contracts", "purchase_order_contracts"):
        add_sov_routes(app, service, collection)

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
        return listing(request, detail_rows(service.store, w.project_id))  # amounts already strings

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
