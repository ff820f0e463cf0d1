"""Subcontractor invoices (requisitions): created, edited and billed line by line as Procore publishes it.

A v1.0 create takes no items: the invoice starts with every SOV line at zero this period and billed amounts
then go per line through ``PATCH …/contract_items/{id}`` (tutorial_requisitions.md). A v1.1 create takes
``items[]`` (``item_type`` required); a v1.1 update edits items by their ``id``. Only the latest invoice of
a commitment that is not yet approved can change its billed amounts: later invoices start from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sandbox.procore.builders import LOCKED_COMMITMENT_STATUSES, ORIGIN_FIELDS, commitment_of
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid
from sandbox.procore.fields import choice, copy_fields, iso_date, money
from sandbox.procore.g702 import ZERO, BillingError
from sandbox.procore.invoice_items import (
    Billed,
    bill_item,
    bill_items,
    change_orders,
    position_before,
    positions_after,
    summarise,
)
from sandbox.procore.store import Store

REQUISITION_STATUSES = (
    "draft",
    "under_review",
    "revise_and_resubmit",
    "approved",
    "approved_as_noted",
    "pending_owner_approval",
)
FINAL_STATUSES = ("approved", "approved_as_noted")
BILLABLE_COMMITMENT_STATUSES = LOCKED_COMMITMENT_STATUSES
ITEM_TYPES = ("contract_item", "contract_detail_item", "change_order_item")
DATES = ("billing_date", "payment_date", "requisition_start", "requisition_end", "submitted_at")


def sov_lines(store: Store, commitment_id: int) -> list[dict[str, Any]]:
    """A commitment's schedule of values, in order."""
    lines = [line for line in store.rows("commitment_line_items") if line["holder"]["id"] == commitment_id]
    return sorted((line for line in lines if not line.get("deleted_at")), key=lambda line: line["position"])


def invoices_of(store: Store, commitment_id: int) -> list[dict[str, Any]]:
    """A commitment's invoices that are not deleted, in number order."""
    found = [
        r
        for r in store.rows("requisitions")
        if r["commitment_id"] == commitment_id and not r.get("deleted_at")
    ]
    return sorted(found, key=lambda r: r["number"])


def _billed(item: Any, key: str) -> Billed:
    """One requested item as a ``Billed``; only contract items (SOV lines) are modelled."""
    if not isinstance(item, dict):
        raise RecordInvalid.field("items", f"each item must be an object, got {item!r}")
    kind = item.get("item_type")
    if kind not in ITEM_TYPES:
        raise RecordInvalid.field("item_type", f"is required, one of {', '.join(ITEM_TYPES)}; got {kind!r}")
    if kind != "contract_item":
        raise RecordInvalid.field(
            "item_type", f"{kind} items are not emulated; bill SOV lines (contract_item)"
        )
    if not isinstance(item.get(key), int) or isinstance(item.get(key), bool):
        raise RecordInvalid.field(key, f"each item needs an integer {key}, got {item.get(key)!r}")
    return Billed(item[key], *_figures(item))


def _figures(raw: dict[str, Any]) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """Work completed this period, materials presently stored, work retainage released: None if not given."""
    return (
        money(raw, "work_completed_this_period"),
        money(raw, "materials_presently_stored"),
        money(raw, "work_completed_retainage_released_this_period"),
    )


def _percent(commitment: Mapping[str, Any]) -> Decimal:
    return commitment.get("retainage_percent") or ZERO


def build_requisition(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """Create (v1.0 without items, v1.1 with them) or update one invoice's header, status and items."""
    record = _new_requisition(w, attrs) if existing is None else dict(existing)
    commitment = commitment_of(w, record["commitment_id"], "commitment_id")
    if existing is not None and "items" in attrs:
        updates = attrs["items"]
        if not isinstance(updates, list):
            raise RecordInvalid.field("items", "must be a list of items")
        record["items"] = edit_items(w.store, record, commitment, [_billed_update(i) for i in updates])
    copy_fields(record, attrs, ("invoice_number", "comment", *ORIGIN_FIELDS))
    if "final" in attrs:
        record["final"] = bool(attrs["final"])
    if "status" in attrs:
        record["status"] = choice(attrs["status"], "status", REQUISITION_STATUSES)
    for name in DATES:
        record[name] = iso_date(attrs, name, record.get(name))
    record["summary"] = _summary(w.store, record, commitment)
    return record


def _billed_update(item: Any) -> tuple[int, Billed]:
    """A v1.1 update's item: its requisition item ``id`` (required) and what it bills."""
    billed = _billed(item, "id")
    return billed.line_item_id, billed


def _new_requisition(w: WriteContext, attrs: dict[str, Any]) -> dict[str, Any]:
    commitment = commitment_of(w, w.params.get("commitment_id"), "commitment_id")
    if commitment["status"] not in BILLABLE_COMMITMENT_STATUSES:
        raise RecordInvalid.field(
            "commitment_id",
            f"commitment {commitment['number']} is {commitment['status']}; only approved "
            "commitments can be invoiced",
        )
    earlier = invoices_of(w.store, commitment["id"])
    previous = earlier[-1] if earlier else None
    raw = attrs.get("items") or []
    if not isinstance(raw, list):
        raise RecordInvalid.field("items", "must be a list of items")
    billed = {b.line_item_id: b for b in (_billed(item, "line_item_id") for item in raw)}
    try:
        items = bill_items(
            sov_lines(w.store, commitment["id"]),
            positions_after(previous["items"]) if previous else {},
            billed,
            _percent(commitment),
        )
    except BillingError as exc:
        raise RecordInvalid.field(exc.field, str(exc)) from exc
    for item in items:
        item["id"] = w.store.new_id("requisition_items")
    vendor = w.store.get("vendors", commitment["vendor"]["id"]) or {}
    return {
        "project_id": w.project_id,
        "commitment_id": commitment["id"],
        "previous_requisition_id": previous["id"] if previous else None,
        "number": previous["number"] + 1 if previous else 1,
        "invoice_number": None,
        "vendor_id": commitment["vendor"]["id"],
        "vendor_name": vendor.get("name"),
        "status": "draft",
        "final": False,
        "period_id": None,
        "currency_configuration": {
            "currency_iso_code": (commitment.get("currency_configuration") or {}).get("currency_iso_code")
        },
        "origin_id": None,
        "origin_data": None,
        "items": items,
    }


def _summary(store: Store, record: Mapping[str, Any], commitment: Mapping[str, Any]) -> dict[str, Any]:
    previous = (
        store.get("requisitions", record["previous_requisition_id"])
        if record.get("previous_requisition_id")
        else None
    )
    return summarise(
        record["items"],
        _percent(commitment),
        change_orders(store.rows("commitment_change_orders"), commitment["id"], previous),
        (record.get("requisition_start"), record.get("requisition_end")),
    )


def edit_items(
    store: Store, record: Mapping[str, Any], commitment: Mapping[str, Any], updates: list[tuple[int, Billed]]
) -> list[dict[str, Any]]:
    """The invoice's items with ``updates`` (requisition item id -> what it bills) applied, validated."""
    if record.get("status") in FINAL_STATUSES:
        raise RecordInvalid.field(
            "status", f"invoice {record['id']} is {record['status']}; its billed amounts are fixed"
        )
    latest = invoices_of(store, commitment["id"])[-1]
    if latest["id"] != record["id"]:
        raise RecordInvalid.field(
            "items",
            f"invoice {record['id']} is not the latest on commitment {commitment['id']} "
            f"(invoice {latest['id']} is); only the latest can change its billed amounts",
        )
    by_id = {item["id"]: item for item in record["items"]}
    lines = {line["id"]: line for line in sov_lines(store, commitment["id"])}
    items = [dict(item) for item in record["items"]]
    for item_id, billed in updates:
        current = by_id.get(item_id)
        if current is None:
            raise RecordInvalid.field("id", f"item {item_id} is not on invoice {record['id']}")
        line = lines[current["line_item_id"]]
        try:
            fresh = bill_item(line, position_before(current), _as_line(billed, current), _percent(commitment))
        except BillingError as exc:
            raise RecordInvalid.field(exc.field, str(exc)) from exc
        items[[i["id"] for i in items].index(item_id)] = {"id": item_id, **fresh}
    return items


def _as_line(billed: Billed, item: Mapping[str, Any]) -> Billed:
    """An update keeps what it does not name: the item's own figures are the defaults."""

    def given(value: Decimal | None, key: str) -> Decimal:
        return item[key] if value is None else value

    return Billed(
        item["line_item_id"],
        given(billed.work_completed_this_period, "work_completed_this_period"),
        given(billed.materials_presently_stored, "materials_presently_stored"),
        given(
            billed.work_completed_retainage_released_this_period,
            "work_completed_retainage_released_this_period",
        ),
    )


def contract_item_update(item_id: int, raw: Any) -> tuple[int, Billed]:
    """``PATCH …/contract_items/{id}``'s ``requisition_contract_item``: the figures one line bills."""
    if not isinstance(raw, dict) or not raw:
        raise RecordInvalid.field("requisition_contract_item", "param is missing or the value is empty")
    return item_id, Billed(item_id, *_figures(raw))
