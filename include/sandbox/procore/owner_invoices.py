"""Owner invoices (payment applications on a prime contract): G703 lines, the G702 summary, and the routes
under ``/prime_contracts/{id}/payment_applications`` (list, create, update) that Procore publishes there.

Shared by the emulator and the seed generator: a pay app's ``g703`` carries each prime contract line's
to-date position and this period's work and retainage; its ``g702`` adds them up (earned less retainage =
completed and stored to date − total retainage; current payment due = earned less retainage − previous
certificates). A pay app points to its contract as ``contract {id, type, title}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid, not_found
from sandbox.procore.fields import choice, copy_fields, iso_date
from sandbox.procore.filters import apply_filters
from sandbox.procore.g702 import ZERO, certificate, column_total
from sandbox.procore.http import read_body, respond, wrapped, write_context
from sandbox.procore.invoice_items import Position, bill_items
from sandbox.procore.paging import paginate
from sandbox.procore.views import payment_application_list_view, payment_application_show_view

if TYPE_CHECKING:
    from sandbox.procore.service import ProcoreService

PAY_APP_STATUSES = ("draft", "under_review", "revise_and_resubmit", "approved")
CONTRACT_TYPE = "PrimeContract"


def g703_items(
    items: Sequence[Mapping[str, Any]], sov_lines: Sequence[Mapping[str, Any]], new_id: Callable[[], int]
) -> list[dict[str, Any]]:
    """``invoice_items.bill_items`` items (one per prime contract line) as published G703 lines."""
    by_line = {line["id"]: line for line in sov_lines}
    out = []
    for item in items:
        line = by_line[item["line_item_id"]]
        held_before = item["work_completed_retainage_from_previous_application"]
        held = (
            held_before
            + item["work_completed_retainage_retained_this_period"]
            - item["work_completed_retainage_released_this_period"]
        )
        out.append(
            {
                "id": new_id(),
                "origin_id": line["id"],
                "origin_type": "LineItem",
                "added_from_source": "contract",
                "item_number": line["position"],
                "description_of_work": item["description_of_work"],
                "cost_code": line["cost_code"],
                "scheduled_value": item["scheduled_value"],
                "work_completed_from_previous_application": item["work_completed_from_previous_application"],
                "work_completed_this_period": item["work_completed_this_period"],
                "materials_presently_stored": item["materials_presently_stored"],
                "total_completed_and_stored_to_date": item["total_completed_and_stored_to_date"],
                "balance_to_finish": item["scheduled_value"] - item["total_completed_and_stored_to_date"],
                "work_completed_retainage_from_previous_application": held_before,
                "work_completed_retainage_retained_this_period": item[
                    "work_completed_retainage_retained_this_period"
                ],
                "work_completed_retainage_released_this_period": item[
                    "work_completed_retainage_released_this_period"
                ],
                "work_completed_retainage_currently_retained": held,
                "materials_stored_retainage_from_previous_application": ZERO,
                "materials_stored_retainage_retained_this_period": ZERO,
                "materials_stored_retainage_released_this_period": ZERO,
                "materials_stored_retainage_currently_retained": ZERO,
                "total_retainage_from_previous_application": held_before,
                "total_retainage_currently_retained": held,
            }
        )
    return out


def g702_summary(
    g703: Sequence[Mapping[str, Any]], retainage_percent: Decimal, period_start: str, period_end: str
) -> dict[str, Any]:
    """The published G702 of a pay app's G703 lines."""

    def total(key: str) -> Decimal:
        return column_total(g703, key)

    contract_sum = total("scheduled_value")
    previous = total("work_completed_from_previous_application") - total(
        "total_retainage_from_previous_application"
    )
    return {
        "original_contract_sum": contract_sum,
        "net_change_by_change_orders": ZERO,
        "contract_sum_to_date": contract_sum,
        "total_completed_and_stored_to_date": total("total_completed_and_stored_to_date"),
        "completed_work_retainage_percent": retainage_percent,
        "completed_work_retainage_amount": total("work_completed_retainage_currently_retained"),
        "stored_materials_retainage_percent": retainage_percent,
        "stored_materials_retainage_amount": total("materials_stored_retainage_currently_retained"),
        **certificate(
            contract_sum,
            total("total_completed_and_stored_to_date"),
            total("total_retainage_currently_retained"),
            previous,
        ),
        "formatted_period": f"{_us(period_start)} - {_us(period_end)}",
    }


def _us(day: str) -> str:
    return date.fromisoformat(day).strftime("%m/%d/%y")


def contract_ref(contract: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": contract["id"], "type": CONTRACT_TYPE, "title": contract["title"]}


def add_owner_invoice_routes(app: FastAPI, service: ProcoreService) -> None:
    base = "/rest/v1.0/prime_contracts/{parent_id:int}/payment_applications"

    def contract_of(request: Request, body: dict[str, Any] | None = None) -> tuple[WriteContext, dict]:
        w = write_context(request, service.store, service.clock.now(), project_scoped=True, body=body)
        contract = service.store.get("prime_contracts", request.path_params["parent_id"])
        if contract is None or contract.get("deleted_at") or contract["project_id"] != w.project_id:
            raise not_found("prime contract", request.path_params["parent_id"])
        return w, contract

    def pay_apps(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
        return sorted(
            (
                p
                for p in service.store.rows("payment_applications")
                if p["prime_contract_id"] == contract["id"] and not p.get("deleted_at")
            ),
            key=lambda p: p["number"],
        )

    async def list_pay_apps(request: Request) -> Response:
        _, contract = contract_of(request)
        rows = apply_filters(pay_apps(contract), request.query_params, {}, frozenset())
        page, headers = paginate(rows, request.url, request.query_params)
        return respond([payment_application_list_view(p) for p in page], headers=headers)

    async def create_pay_app(request: Request) -> Response:
        body = await read_body(request)
        w, contract = contract_of(request, body)
        earlier = pay_apps(contract)
        lines = sorted(
            (
                li
                for li in service.store.rows("prime_contract_line_items")
                if li["contract_id"] == contract["id"]
            ),
            key=lambda li: li["position"],
        )
        prior = g703_positions(earlier[-1]["g703"]) if earlier else {}
        items = bill_items(lines, prior, {}, contract["retainage_percent"])
        g703 = g703_items(items, lines, lambda: service.store.new_id("payment_application_items"))
        record = {
            "id": service.store.new_id("payment_applications"),
            "project_id": w.project_id,
            "prime_contract_id": contract["id"],
            "contract": contract_ref(contract),
            "number": (earlier[-1]["number"] if earlier else 0) + 1,
            "status": "draft",
            "invoice_number": None,
            "origin_id": None,
            "origin_data": None,
            "currency_configuration": contract.get("currency_configuration"),
            "g703": g703,
            "created_at": w.now,
        }
        _apply(record, wrapped(body, "payment_application"), w, contract)
        service.store.put("payment_applications", record, w.call.company_id)
        return respond(payment_application_show_view(record), status=201)

    async def update_pay_app(request: Request, record_id: int) -> Response:
        body = await read_body(request)
        w, contract = contract_of(request, body)
        record = next((p for p in pay_apps(contract) if p["id"] == record_id), None)
        if record is None:
            raise not_found("payment application", record_id)
        _apply(record, wrapped(body, "payment_application"), w, contract)
        service.store.touch("payment_applications", record, "update")
        return respond(payment_application_show_view(record))

    app.add_api_route(
        base, list_pay_apps, methods=["GET"], name="list a prime contract's payment applications"
    )
    app.add_api_route(base, create_pay_app, methods=["POST"], name="create payment application")
    app.add_api_route(
        f"{base}/{{record_id:int}}", update_pay_app, methods=["PATCH"], name="update payment application"
    )


def g703_positions(g703: list[Mapping[str, Any]]) -> dict[int, Position]:
    """Per prime contract line, where a pay app left it: what the next one starts from (no materials are
    stored on an owner invoice)."""
    return {
        line["origin_id"]: Position(
            work_completed=line["total_completed_and_stored_to_date"],
            work_retainage=line["total_retainage_currently_retained"],
        )
        for line in g703
    }


def _apply(
    record: dict[str, Any], attrs: dict[str, Any], w: WriteContext, contract: Mapping[str, Any]
) -> None:
    """The published writable fields: dates, invoice number, status, origin; the G702 follows the period."""
    copy_fields(record, attrs, ("invoice_number", "origin_id", "origin_data"))
    if "status" in attrs:
        record["status"] = choice(attrs["status"], "status", PAY_APP_STATUSES)
    for name in ("billing_date", "period_start", "period_end"):
        record[name] = iso_date(attrs, name, record.get(name))
    if not (record.get("period_start") and record.get("period_end")):
        raise RecordInvalid(
            {n: ["can't be blank"] for n in ("period_start", "period_end") if not record.get(n)}
        )
    record["billing_period"] = {"start_date": record["period_start"], "end_date": record["period_end"]}
    record["g702"] = g702_summary(
        record["g703"], contract["retainage_percent"], record["period_start"], record["period_end"]
    )
    record["updated_at"] = w.now
