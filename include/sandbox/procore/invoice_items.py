"""Subcontractor invoice (requisition) G703 items and their G702 summary, in the fields Procore publishes.

Shared by the emulator and the seed generator so every invoice, seeded or created, obeys the same rules.
Per schedule-of-values line: completed and stored to date = work completed before + this period + materials
presently stored; work retainage is held on the work completed this period at the commitment's percentage
(released only up to what is held); materials retainage is the percentage of the materials presently stored,
its change this period shown as retained on new materials or released. G702: earned less retainage =
completed and stored to date − total retainage; current payment due = earned less retainage − less previous
certificates for payment (the previous invoice's earned less retainage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.procore.g702 import ZERO, BillingError, certificate, column_total, retainage_on
from sandbox.procore.money import CENT

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Billed:
    """What is billed on one SOV line this period; None is "not given": zero, or for the materials stored
    the previous balance."""

    line_item_id: int
    work_completed_this_period: Decimal | None = None
    materials_presently_stored: Decimal | None = None
    work_completed_retainage_released_this_period: Decimal | None = None


@dataclass(frozen=True)
class Position:
    """Where a line stands after an invoice: work completed, materials stored, retainage held on each."""

    work_completed: Decimal = ZERO
    materials_stored: Decimal = ZERO
    work_retainage: Decimal = ZERO
    materials_retainage: Decimal = ZERO


def position_after(item: Mapping[str, Any]) -> Position:
    """A line's position after the invoice ``item`` belongs to, read from its published fields."""
    return Position(
        item["work_completed_from_previous_application"] + item["work_completed_this_period"],
        item["materials_presently_stored"],
        item["work_completed_retainage_from_previous_application"]
        + item["work_completed_retainage_retained_this_period"]
        - item["work_completed_retainage_released_this_period"],
        item["materials_stored_retainage_currently_retained"],
    )


def position_before(item: Mapping[str, Any]) -> Position:
    """Where a line stood before the invoice ``item`` belongs to (what editing the item starts from)."""
    return Position(
        item["work_completed_from_previous_application"],
        item["materials_presently_stored_from_previous_progress"],
        item["work_completed_retainage_from_previous_application"],
        item["materials_stored_retainage_currently_retained"] - _materials_retainage_change(item),
    )


def positions_after(items: Iterable[Mapping[str, Any]]) -> dict[int, Position]:
    """Per SOV line id, where an invoice's items leave it (what the next invoice starts from)."""
    return {item["line_item_id"]: position_after(item) for item in items}


def bill_item(
    line: Mapping[str, Any], before: Position, billed: Billed, retainage_percent: Decimal
) -> dict[str, Any]:
    """One G703 item (without its id), validated: raises ``BillingError`` naming the field and the line."""
    this_period = billed.work_completed_this_period or ZERO
    stored = (
        before.materials_stored
        if billed.materials_presently_stored is None
        else billed.materials_presently_stored
    )
    scheduled = line["amount"]
    work_to_date = before.work_completed + this_period
    to_date = work_to_date + stored
    previous_to_date = before.work_completed + before.materials_stored
    if stored < 0:
        raise BillingError(
            "materials_presently_stored", f"line item {line['id']}: materials stored cannot be {stored}"
        )
    if to_date > scheduled and to_date > previous_to_date:
        raise BillingError(
            "work_completed_this_period",
            f"line item {line['id']}: {to_date} completed and stored to date would exceed the scheduled "
            f"value {scheduled}",
        )
    if work_to_date < 0:
        raise BillingError(
            "work_completed_this_period",
            f"line item {line['id']}: a credit of {-this_period} exceeds the {before.work_completed} "
            "billed before",
        )
    retained = retainage_on(this_period, retainage_percent)
    released = billed.work_completed_retainage_released_this_period or ZERO
    if released < 0 or released > before.work_retainage + retained:
        raise BillingError(
            "work_completed_retainage_released_this_period",
            f"line item {line['id']}: cannot release {released}; only "
            f"{before.work_retainage + retained} retainage is held",
        )
    materials_retainage = retainage_on(stored, retainage_percent)
    return {
        "item_type": "contract_item",
        "accounting_method": "amount",
        "line_item_id": line["id"],
        "cost_code_id": line["cost_code"]["id"],
        "description_of_work": line["description"],
        "position": line["position"],
        "scheduled_value": scheduled,
        "work_completed_from_previous_application": before.work_completed,
        "work_completed_this_period": this_period,
        "materials_presently_stored": stored,
        "materials_presently_stored_from_previous_progress": before.materials_stored,
        "materials_moved": ZERO,
        "total_completed_and_stored_to_date": to_date,
        "total_completed_and_stored_to_date_from_previous": previous_to_date,
        "total_completed_and_stored_to_date_percent": _percent(to_date, scheduled),
        "work_completed_retainage_from_previous_application": before.work_retainage,
        "work_completed_retainage_retained_this_period": retained,
        "work_completed_retainage_released_this_period": released,
        "work_completed_retainage_percent_this_period": retainage_percent,
        "materials_stored_retainage_currently_retained": materials_retainage,
        "materials_stored_retainage_new_materials": max(
            ZERO, materials_retainage - before.materials_retainage
        ),
        "materials_stored_retainage_released_this_period": max(
            ZERO, before.materials_retainage - materials_retainage
        ),
        "materials_stored_retainage_percent_this_period": retainage_percent,
    }


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP) if whole else ZERO


def bill_items(
    sov_lines: Sequence[Mapping[str, Any]],
    before: Mapping[int, Position],
    billed: Mapping[int, Billed],
    retainage_percent: Decimal,
) -> list[dict[str, Any]]:
    """G703 items for every SOV line (unbilled lines show zero this period), validated line by line."""
    known = {line["id"] for line in sov_lines}
    for line_id in billed:
        if line_id not in known:
            raise BillingError(
                "line_item_id", f"line item {line_id} is not on this contract's schedule of values"
            )
    return [
        bill_item(
            line,
            before.get(line["id"], Position()),
            billed.get(line["id"], Billed(line["id"])),
            retainage_percent,
        )
        for line in sov_lines
    ]


@dataclass(frozen=True)
class ChangeOrders:
    """Approved change orders on the commitment: additions and deductions, and those of the last invoice."""

    positive: Decimal = ZERO
    negative: Decimal = ZERO
    previous_positive: Decimal = ZERO
    previous_negative: Decimal = ZERO


def change_orders(
    orders: Iterable[Mapping[str, Any]], commitment_id: int, previous: Mapping[str, Any] | None
) -> ChangeOrders:
    """A commitment's approved change orders now, and those its previous invoice (``previous``) counted."""
    totals = [
        order["grand_total"]
        for order in orders
        if order.get("contract_id") == commitment_id
        and order.get("status") == "approved"
        and not order.get("deleted_at")
    ]
    before = (previous or {}).get("summary") or {}
    return ChangeOrders(
        sum((t for t in totals if t > 0), ZERO),
        sum((t for t in totals if t < 0), ZERO),
        before.get("positive_change_order_item_total", ZERO),
        before.get("negative_change_order_item_total", ZERO),
    )


def summarise(
    items: Sequence[Mapping[str, Any]],
    retainage_percent: Decimal,
    changes: ChangeOrders | None = None,
    period: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """The G702 summary of an invoice's items, every published field (v1.0 shows a subset)."""

    def total(key: str) -> Decimal:
        return column_total(items, key)

    changes = changes or ChangeOrders()
    original = total("scheduled_value")
    net_change = changes.positive + changes.negative
    contract_sum = original + net_change
    completed = total("total_completed_and_stored_to_date")
    work_retainage = sum((position_after(item).work_retainage for item in items), ZERO)
    materials_retainage = total("materials_stored_retainage_currently_retained")
    retainage = work_retainage + materials_retainage
    befores = [(item, position_before(item)) for item in items]
    previous = sum(
        (
            item["total_completed_and_stored_to_date_from_previous"]
            - before.work_retainage
            - before.materials_retainage
            for item, before in befores
        ),
        ZERO,
    )
    stored = total("materials_presently_stored")
    new_materials = sum(
        (
            max(
                ZERO, i["materials_presently_stored"] - i["materials_presently_stored_from_previous_progress"]
            )
            for i in items
        ),
        ZERO,
    )
    return {
        "original_contract_sum": original,
        "net_change_by_change_orders": net_change,
        "contract_sum_to_date": contract_sum,
        "total_completed_and_stored_to_date": completed,
        "completed_work_retainage_percent": retainage_percent,
        "completed_work_retainage_amount": work_retainage,
        "stored_materials_retainage_percent": retainage_percent,
        "stored_materials_retainage_amount": materials_retainage,
        **certificate(contract_sum, completed, retainage, previous),
        "tax_applicable_to_this_payment": ZERO,
        "positive_change_order_item_total": changes.positive,
        "negative_change_order_item_total": changes.negative,
        "positive_previous_change_order_item_total": changes.previous_positive,
        "negative_previous_change_order_item_total": changes.previous_negative,
        "positive_new_change_order_item_total": changes.positive - changes.previous_positive,
        "negative_new_change_order_item_total": changes.negative - changes.previous_negative,
        "formatted_period": formatted_period(*period),
        "new_materials": new_materials,
        "stored_materials": stored - new_materials,
    }


def _materials_retainage_change(item: Mapping[str, Any]) -> Decimal:
    return (
        item["materials_stored_retainage_new_materials"]
        - item["materials_stored_retainage_released_this_period"]
    )


def formatted_period(start: str | None, end: str | None) -> str | None:
    """``MM/DD/YYYY - MM/DD/YYYY``, as the G702 header prints the period (None without both dates)."""
    if not start or not end:
        return None
    return f"{_us_date(start)} - {_us_date(end)}"


def _us_date(iso: str) -> str:
    year, month, day = iso[:10].split("-")
    return f"{month}/{day}/{year}"
