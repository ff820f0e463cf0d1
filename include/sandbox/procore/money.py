"""Exact amounts: Decimal inside the emulator; on the wire as Procore publishes them.

Procore publishes almost every amount as a JSON **string** (``"1234.50"``: commitments, SOV lines, change
orders, requisitions and their summaries, payments, direct costs, prime contracts, pay apps), and a few as
JSON **numbers** (budget line items, budget view detail rows, a requisition's ``currency_exchange_rate``).
One mechanism renders both (checked against the published models by tests/contract):

- Every ``Decimal`` in an answer goes out as a string with at least two decimals (``"12.50"``, ``"87.333"``):
  the default, nothing to do.
- A resource whose published model types its amounts as numbers opts in with ``as_numbers(record)`` (every
  Decimal in it) or ``as_numbers(record, {"currency_exchange_rate"})`` (those keys only, at any depth) on
  what it answers; those Decimals go out as JSON numbers with the same digits (``12.50``).

Requests may send an amount either way (``decimalize`` parses numbers and numeric strings exactly).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

# Every field that holds an amount, quantity or percentage, in any Procore record the emulator serves.
MONEY_FIELDS = frozenset(
    {
        "amount",
        "quantity",
        "unit_cost",
        "grand_total",
        "total_value",
        "retainage_percent",
        "original_budget_amount",
        "budget_modifications",
        "approved_cos",
        "revised_budget",
        "committed_costs",
        "direct_costs",
        "job_to_date_costs",
        "pending_budget_changes",
        "approved_budget_changes",
        "projected_budget",
        "pending_cost_changes",
        "projected_costs",
        "estimated_cost_at_completion",
        "projected_over_under",
        "scheduled_value",
        "work_completed_from_previous_application",
        "work_completed_this_period",
        "materials_presently_stored",
        "total_completed_and_stored_to_date",
        "work_completed_retainage_from_previous_application",
        "work_completed_retainage_retained_this_period",
        "work_completed_retainage_released_this_period",
        "total_retainage_currently_retained",
        "balance_to_finish",
        "net_amount",
        "contract_sum_to_date",
        "total_retainage",
        "total_earned_less_retainage",
        "less_previous_certificates_for_payment",
        "current_payment_due",
        "balance_to_finish_including_retainage",
        "retainage_retained_this_period",
        "retainage_released_this_period",
        # subcontractor invoices: G703 items and G702 summary as published
        "materials_presently_stored_from_previous_progress",
        "materials_moved",
        "total_completed_and_stored_to_date_from_previous",
        "total_completed_and_stored_to_date_percent",
        "work_completed_retainage_percent_this_period",
        "materials_stored_retainage_currently_retained",
        "materials_stored_retainage_new_materials",
        "materials_stored_retainage_released_this_period",
        "materials_stored_retainage_percent_this_period",
        # owner invoices (payment applications): G703 lines and G702 summary
        "work_completed_retainage_currently_retained",
        "materials_stored_retainage_from_previous_application",
        "materials_stored_retainage_retained_this_period",
        "total_retainage_from_previous_application",
        "original_contract_sum",
        "net_change_by_change_orders",
        "completed_work_retainage_percent",
        "completed_work_retainage_amount",
        "stored_materials_retainage_percent",
        "stored_materials_retainage_amount",
        "tax_applicable_to_this_payment",
        "positive_change_order_item_total",
        "negative_change_order_item_total",
        "positive_previous_change_order_item_total",
        "negative_previous_change_order_item_total",
        "positive_new_change_order_item_total",
        "negative_new_change_order_item_total",
        "new_materials",
        "stored_materials",
    }
)


def to_money(value: Any) -> Decimal:
    """Parse an amount (number or numeric string) exactly, rounded half-up to the cent."""
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def decimalize(value: Any) -> Any:
    """Turn the money fields of a JSON record (seed or request body) into Decimals, recursively."""
    if isinstance(value, dict):
        return {
            k: to_money(v)
            if k in MONEY_FIELDS and isinstance(v, int | float | str | Decimal) and v != ""
            else decimalize(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [decimalize(v) for v in value]
    return value


class WireNumber(Decimal):
    """A Decimal that ``render_json`` writes as a JSON number: made by ``as_numbers`` only."""


def as_numbers(value: Any, keys: frozenset[str] | set[str] | None = None) -> Any:
    """A copy of ``value`` whose Decimals (only those under ``keys``, when given) render as JSON numbers."""
    if isinstance(value, Decimal):
        return WireNumber(value) if keys is None else value
    if isinstance(value, dict):
        return {
            k: WireNumber(v)
            if isinstance(v, Decimal) and keys is not None and k in keys
            else as_numbers(v, keys)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [as_numbers(v, keys) for v in value]
    return value


def digits(value: Decimal) -> str:
    """At least two decimals (``12.50``), more when the value has them (a unit cost of ``87.333``)."""
    return f"{value:.2f}" if value.as_tuple().exponent >= -2 else str(value)  # type: ignore[operator]


def render_json(value: Any) -> str:
    """Serialise: a Decimal as a JSON string (``"12.50"``), a ``WireNumber`` as a JSON number (``12.50``)."""
    if isinstance(value, WireNumber):
        return digits(value)
    if isinstance(value, Decimal):
        return f'"{digits(value)}"'
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{render_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(render_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def plain(value: Any) -> Any:
    """The JSON-serialisable form (Decimal → float, exact for two-decimal amounts): seeds, state dumps."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
