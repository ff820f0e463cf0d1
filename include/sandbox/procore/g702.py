"""AIA G702/G703 arithmetic for subcontractor invoices and owner payment applications.

Shared by the emulator and the seed generator so every invoice, seeded or created, obeys the same rules:
earned less retainage = completed and stored to date − total retainage; current payment due = earned less
retainage − less previous certificates for payment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.procore.money import CENT

ZERO = Decimal("0.00")


class BillingError(ValueError):
    """A billed line breaks a G703 rule; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class LineEntry:
    """What is billed on one schedule-of-values line this period."""

    line_item_id: int
    work_completed_this_period: Decimal = ZERO
    retainage_released_this_period: Decimal = ZERO


@dataclass(frozen=True)
class Previous:
    """A line's position after the previous invoice: completed to date and retainage still held."""

    completed: Decimal = ZERO
    retainage: Decimal = ZERO


def previous_positions(previous_items: Iterable[Mapping[str, Any]]) -> dict[int, Previous]:
    """Per SOV line, where the last earlier invoice left it (its items carry to-date totals)."""
    return {
        item["line_item_id"]: Previous(
            item["total_completed_and_stored_to_date"], item["total_retainage_currently_retained"]
        )
        for item in previous_items
    }


def retainage_on(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def bill_lines(
    sov_lines: list[Mapping[str, Any]],
    previous: Mapping[int, Previous],
    entries: Mapping[int, LineEntry],
    retainage_percent: Decimal,
) -> list[dict[str, Any]]:
    """G703 items for every SOV line (unbilled lines show zero this period), validated line by line."""
    known = {line["id"] for line in sov_lines}
    for line_id in entries:
        if line_id not in known:
            raise BillingError(
                "line_item_id", f"line item {line_id} is not on this contract's schedule of values"
            )
    items = []
    for line in sov_lines:
        prev = previous.get(line["id"], Previous())
        entry = entries.get(line["id"], LineEntry(line["id"]))
        this_period = entry.work_completed_this_period
        to_date = prev.completed + this_period
        scheduled = line["amount"]
        if to_date > scheduled and this_period > 0:
            raise BillingError(
                "work_completed_this_period",
                f"line item {line['id']}: {to_date} completed to date would exceed the scheduled value "
                f"{scheduled}",
            )
        if to_date < 0:
            raise BillingError(
                "work_completed_this_period",
                f"line item {line['id']}: a credit of {-this_period} exceeds the {prev.completed} "
                "billed before",
            )
        released = entry.retainage_released_this_period
        retained = retainage_on(this_period, retainage_percent)
        if released < 0 or released > prev.retainage + retained:
            raise BillingError(
                "work_completed_retainage_released_this_period",
                f"line item {line['id']}: cannot release {released}; only "
                f"{prev.retainage + retained} retainage is held",
            )
        held = prev.retainage + retained - released
        items.append(
            {
                "item_type": "contract_item",
                "line_item_id": line["id"],
                "cost_code_id": line["cost_code"]["id"],
                "line_item_type_id": line["line_item_type"]["id"],
                "description_of_work": line["description"],
                "scheduled_value": scheduled,
                "work_completed_from_previous_application": prev.completed,
                "work_completed_this_period": this_period,
                "materials_presently_stored": ZERO,
                "total_completed_and_stored_to_date": to_date,
                "work_completed_retainage_from_previous_application": prev.retainage,
                "work_completed_retainage_retained_this_period": retained,
                "work_completed_retainage_released_this_period": released,
                "total_retainage_currently_retained": held,
                "balance_to_finish": scheduled - to_date,
                "net_amount": this_period - retained + released,
            }
        )
    return items


def summarise(items: list[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The G702 summary of an invoice's items."""

    def total(key: str) -> Decimal:
        return sum((item[key] for item in items), ZERO)

    contract_sum = total("scheduled_value")
    completed = total("total_completed_and_stored_to_date")
    retainage = total("total_retainage_currently_retained")
    previous = total("work_completed_from_previous_application") - total(
        "work_completed_retainage_from_previous_application"
    )
    earned = completed - retainage
    return {
        "contract_sum_to_date": contract_sum,
        "work_completed_this_period": total("work_completed_this_period"),
        "total_completed_and_stored_to_date": completed,
        "retainage_retained_this_period": total("work_completed_retainage_retained_this_period"),
        "retainage_released_this_period": total("work_completed_retainage_released_this_period"),
        "total_retainage": retainage,
        "total_earned_less_retainage": earned,
        "less_previous_certificates_for_payment": previous,
        "current_payment_due": earned - previous,
        "balance_to_finish_including_retainage": contract_sum - earned,
    }
