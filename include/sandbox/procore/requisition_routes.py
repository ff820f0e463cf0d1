"""Subcontractor invoice (requisition) routes, each answering in the shape Procore publishes for it.

v1.0 list and show: the header and ``summary`` (G702), ``vendor_name`` only, no items. v1.1 list and show
add ``vendor_id`` and, only when ``view`` names ``extended`` or ``items``, ``items[]`` (G703) and
``item_packages[]``. Creates and updates answer with the v1.1 shape. Per line: ``contract_items`` (list and
update; the published show is not served) and ``detail`` (rows with the retainage currently retained and
the balance to finish).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.billing import FINAL_STATUSES, build_requisition, invoices_of
from sandbox.procore.errors import RecordInvalid, not_found
from sandbox.procore.filters import apply_filters
from sandbox.procore.http import read_body, respond, wrapped, write_context
from sandbox.procore.invoice_items import position_after, position_before
from sandbox.procore.paging import paginate
from sandbox.procore.resources import Resource
from sandbox.procore.writes import delete, in_scope, save

if TYPE_CHECKING:
    from sandbox.procore.context import WriteContext
    from sandbox.procore.service import ProcoreService

V10, V11 = "/rest/v1.0", "/rest/v1.1"
ID = "{record_id:int}"
REQUISITIONS = Resource(
    "requisitions",
    "subcontractor invoice",
    "requisition",
    "project",
    (),
    deletable=True,
    build=build_requisition,
    filters={
        "status": lambda r: r.get("status"),
        "commitment_id": lambda r: r["commitment_id"],
        "period_id": lambda r: r.get("period_id"),
    },
)
COMMON_FIELDS = (
    "id",
    "project_id",
    "commitment_id",
    "number",
    "invoice_number",
    "vendor_name",
    "status",
    "billing_date",
    "payment_date",
    "requisition_start",
    "requisition_end",
    "submitted_at",
    "period_id",
    "final",
    "origin_id",
    "origin_data",
    "created_at",
    "updated_at",
    "currency_configuration",
    "summary",
)
V10_FIELDS = (*COMMON_FIELDS, "comment")
V11_FIELDS = (*COMMON_FIELDS, "previous_requisition_id", "vendor_id")
V11_ONLY_SUMMARY = frozenset({"new_materials", "stored_materials"})
ITEM_VIEWS = frozenset({"extended", "items"})
# GET /requisitions/{id}/contract_items publishes a narrower item than v1.1's items[].
CONTRACT_ITEM_FIELDS = (
    "id",
    "item_type",
    "accounting_method",
    "cost_code_id",
    "line_item_id",
    "description_of_work",
    "position",
    "scheduled_value",
    "work_completed_from_previous_application",
    "work_completed_this_period",
    "materials_presently_stored",
    "materials_moved",
    "total_completed_and_stored_to_date",
    "total_completed_and_stored_to_date_percent",
    "work_completed_retainage_from_previous_application",
    "work_completed_retainage_retained_this_period",
    "work_completed_retainage_released_this_period",
    "work_completed_retainage_percent_this_period",
    "materials_stored_retainage_currently_retained",
    "materials_stored_retainage_released_this_period",
    "materials_stored_retainage_percent_this_period",
)


def wants_items(view: str | None) -> bool:
    """Whether a v1.1 ``view`` (comma-separated names) asks for the items."""
    return bool({part.strip() for part in (view or "").split(",")} & ITEM_VIEWS)


def render(record: Mapping[str, Any], version: str, view: str | None = None) -> dict[str, Any]:
    """One invoice as the version (``v1.0`` / ``v1.1``) and view publish it."""
    if version == "v1.0":
        out = {key: record.get(key) for key in V10_FIELDS}
        out["summary"] = {k: v for k, v in record["summary"].items() if k not in V11_ONLY_SUMMARY}
        return out
    out = {key: record.get(key) for key in V11_FIELDS}
    if wants_items(view):
        out["items"] = record["items"]
        out["item_packages"] = []
    return out


def contract_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in CONTRACT_ITEM_FIELDS}


def detail_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """A ``GET …/detail`` row: the item with what is retained now and before, and the balance to finish."""
    before, after = position_before(item), position_after(item)
    materials_retained = (
        item["materials_stored_retainage_new_materials"]
        - item["materials_stored_retainage_released_this_period"]
    )
    return {
        **{key: item[key] for key in CONTRACT_ITEM_FIELDS if key in DETAIL_KEPT},
        "item_number": item["position"],
        "balance_to_finish": item["scheduled_value"] - item["total_completed_and_stored_to_date"],
        "work_completed_retainage_currently_retained": after.work_retainage,
        "materials_stored_retainage_from_previous_application": before.materials_retainage,
        "materials_stored_retainage_retained_this_period": materials_retained,
        "total_retainage_currently_retained": after.work_retainage + after.materials_retainage,
        "total_retainage_from_previous_application": before.work_retainage + before.materials_retainage,
    }


DETAIL_KEPT = frozenset(CONTRACT_ITEM_FIELDS) - {"line_item_id", "accounting_method", "position"}


def add_requisition_routes(app: FastAPI, service: ProcoreService) -> None:
    def context(request: Request, body: dict[str, Any] | None = None) -> WriteContext:
        return write_context(request, service.store, service.clock.now(), project_scoped=True, body=body)

    def find(w: WriteContext, record_id: int) -> dict[str, Any]:
        record = service.store.get("requisitions", record_id)
        if not in_scope(w, REQUISITIONS, record) or record is None or record.get("deleted_at"):
            raise not_found(REQUISITIONS.label, record_id)
        return record

    def paged(
        request: Request, rows: Iterable[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        page, headers = paginate(list(rows), request.url, request.query_params)
        return list(page), headers

    def routes(version: str, prefix: str) -> None:
        async def list_records(request: Request) -> Response:
            w = context(request)
            rows = [r for r in service.store.rows("requisitions") if in_scope(w, REQUISITIONS, r)]
            page, headers = paged(request, apply_filters(rows, request.query_params, REQUISITIONS.filters))
            view = request.query_params.get("view")
            return respond([render(r, version, view) for r in page], headers=headers)

        async def show(request: Request, record_id: int) -> Response:
            record = find(context(request), record_id)
            return respond(render(record, version, request.query_params.get("view")))

        async def create(request: Request) -> Response:
            body = await read_body(request)
            attrs = _attributes(body, version)
            created = save(context(request, body), REQUISITIONS, attrs, None)
            return respond(render(created, "v1.1", request.query_params.get("view")), status=201)

        async def update(request: Request, record_id: int) -> Response:
            body = await read_body(request)
            w = context(request, body)
            saved = save(w, REQUISITIONS, _attributes(body, version), find(w, record_id))
            return respond(render(saved, "v1.1", request.query_params.get("view")))

        async def remove(request: Request, record_id: int) -> Response:
            w = context(request)
            record = find(w, record_id)
            _check_deletable(w, record)
            delete(w, REQUISITIONS, record)
            return Response(status_code=204)

        path, item = f"{prefix}/requisitions", f"{prefix}/requisitions/{ID}"
        app.add_api_route(path, list_records, methods=["GET"], name=f"list requisitions {version}")
        app.add_api_route(path, create, methods=["POST"], name=f"create requisition {version}")
        app.add_api_route(item, show, methods=["GET"], name=f"show requisition {version}")
        app.add_api_route(item, update, methods=["PATCH"], name=f"update requisition {version}")
        app.add_api_route(item, remove, methods=["DELETE"], name=f"delete requisition {version}")

    routes("v1.0", V10)
    routes("v1.1", V11)

    def parent(request: Request, body: dict[str, Any] | None = None) -> tuple[WriteContext, dict[str, Any]]:
        w = context(request, body)
        return w, find(w, request.path_params["parent_id"])

    def one_item(record: Mapping[str, Any], item_id: int) -> dict[str, Any]:
        found = next((i for i in record["items"] if i["id"] == item_id), None)
        if found is None:
            raise not_found("subcontractor invoice contract item", item_id)
        return found

    async def list_contract_items(request: Request) -> Response:
        _, record = parent(request)
        page, headers = paged(request, record["items"])
        return respond([contract_item(i) for i in page], headers=headers)

    async def update_contract_item(request: Request, record_id: int) -> Response:
        body = await read_body(request)
        w, record = parent(request, body)
        one_item(record, record_id)
        figures = wrapped(body, "requisition_contract_item")
        attrs = {"items": [{**figures, "id": record_id, "item_type": "contract_item"}]}
        saved = save(w, REQUISITIONS, attrs, record)
        return respond(contract_item(one_item(saved, record_id)))

    async def list_detail(request: Request) -> Response:
        _, record = parent(request)
        return respond([detail_row(i) for i in record["items"]])

    under = f"{V10}/requisitions/{{parent_id:int}}"
    app.add_api_route(
        f"{under}/contract_items",
        list_contract_items,
        methods=["GET"],
        name="list requisition contract items",
    )
    app.add_api_route(
        f"{under}/contract_items/{ID}",
        update_contract_item,
        methods=["PATCH"],
        name="update requisition contract item",
    )
    app.add_api_route(f"{under}/detail", list_detail, methods=["GET"], name="show requisition detail")


def _attributes(body: dict[str, Any], version: str) -> dict[str, Any]:
    """The ``requisition`` object; v1.0 publishes no ``items`` in it, so they are ignored as Procore does."""
    attrs = wrapped(body, "requisition")
    if version == "v1.0":
        attrs.pop("items", None)
    return attrs


def _check_deletable(w: WriteContext, record: Mapping[str, Any]) -> None:
    """Only the latest invoice of a commitment, not yet approved, can be deleted (later ones build on it)."""
    if record["status"] in FINAL_STATUSES:
        raise RecordInvalid.field(
            "status", f"invoice {record['id']} is {record['status']} and cannot be deleted"
        )
    latest = invoices_of(w.store, record["commitment_id"])[-1]
    if latest["id"] != record["id"]:
        raise RecordInvalid.field(
            "id", f"invoice {record['id']} is not the latest on its commitment (invoice {latest['id']} is)"
        )
