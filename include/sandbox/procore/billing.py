"""Subcontractor invoices (requisitions): billed lines in, G702/G703 figures computed as Procore does."""

from __future__ import annotations

from typing import Any

from sandbox.procore.builders import LOCKED_COMMITMENT_STATUSES, ORIGIN_FIELDS, commitment_of
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid
from sandbox.procore.fields import choice, copy_fields, iso_date, money
from sandbox.procore.g702 import ZERO, BillingError, LineEntry, bill_lines, previous_positions, summarise
from sandbox.procore.store import Store

REQUISITION_STATUSES = (
    "draft",
    "under_review",
    "revise_and_resubmit",
    "approved",
    "approved_as_noted",
    "pending_owner_approval",
)
BILLABLE_COMMITMENT_STATUSES = LOCKED_COMMITMENT_STATUSES


def sov_lines(store: Store, commitment_id: int) -> list[dict[str, Any]]:
    """A commitment's schedule of values, in order."""
    lines = [line for line in store.rows("commitment_line_items") if line["holder"]["id"] == commitment_id]
    return sorted((line for line in lines if not line.get("deleted_at")), key=lambda line: line["position"])


def last_invoice(store: Store, commitment_id: int) -> dict[str, Any] | None:
    invoices = [
        r
        for r in store.rows("requisitions")
        if r["commitment_id"] == commitment_id and not r.get("deleted_at")
    ]
    return max(invoices, key=lambda r: r["number"], default=None)


def _entries(raw: Any) -> dict[int, LineEntry]:
    if not isinstance(raw, list) or not raw:
        raise RecordInvalid.field(
            "items", "list the billed lines: [{line_item_id, work_completed_this_period}]"
        )
    entries: dict[int, LineEntry] = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("line_item_id"), int):
            raise RecordInvalid.field("items", f"each item needs an integer line_item_id, got {item!r}")
        entries[item["line_item_id"]] = LineEntry(
            item["line_item_id"],
            money(item, "work_completed_this_period", ZERO) or ZERO,
            money(item, "work_completed_retainage_released_this_period", ZERO) or ZERO,
        )
    return entries


def build_requisition(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    if existing is not None:
        if "items" in attrs:
            raise RecordInvalid.field(
                "items", "billed amounts are fixed once the invoice exists; bill a new period"
            )
        record = dict(existing)
    else:
        record = _new_requisition(w, attrs)
    copy_fields(record, attrs, ("invoice_number", *ORIGIN_FIELDS))
    if "status" in attrs:
        record["status"] = choice(attrs["status"], "status", REQUISITION_STATUSES)
    for name in ("billing_date", "period_start", "period_end", "payment_date"):
        record[name] = iso_date(attrs, name, record.get(name))
    return record


def _new_requisition(w: WriteContext, attrs: dict[str, Any]) -> dict[str, Any]:
    commitment = commitment_of(w, attrs.get("commitment_id", w.params.get("commitment_id")), "commitment_id")
    if commitment["status"] not in BILLABLE_COMMITMENT_STATUSES:
        raise RecordInvalid.field(
            "commitment_id",
            f"commitment {commitment['number']} is {commitment['status']}; only approved "
            "commitments can be invoiced",
        )
    previous = last_invoice(w.store, commitment["id"])
    try:
        items = bill_lines(
            sov_lines(w.store, commitment["id"]),
            previous_positions(previous["items"]) if previous else {},
            _entries(attrs.get("items")),
            commitment["retainage_percent"],
        )
    except BillingError as exc:
        raise RecordInvalid.field(exc.field, str(exc)) from exc
    for item in items:
        item["id"] = w.store.new_id("requisition_items")
    return {
        "project_id": w.project_id,
        "commitment_id": commitment["id"],
        "number": previous["number"] + 1 if previous else 1,
        "invoice_number": None,
        "vendor": {"id": commitment["vendor"]["id"], "name": commitment["vendor"]["company"]},
        "status": "draft",
        "retainage_percent": commitment["retainage_percent"],
        "origin_id": None,
        "origin_data": None,
        "items": items,
        "summary": summarise(items),
    }
