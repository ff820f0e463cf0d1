"""Subcontractor invoice items (Procore's G703 rows, v1.1 with ``view=extended``) -> the period's figures
and the bill's SOV lines.

Procore's published G702 summary has no per-period totals: the period lives on the items. Per item the
period bills the work completed this period and the change in materials presently stored
(``materials_presently_stored`` − ``materials_presently_stored_from_previous_progress``), each on its own line
(the item's cost code; its cost type is its SOV line's, found by ``line_item_id``). Retainage is held on
both (``work_completed_retainage_retained_this_period``, ``materials_stored_retainage_new_materials``) and
released on both (``…_released_this_period``). Amounts are parsed exactly; one that is not a number is named
in ``bad_amounts`` (validation holds the bill) and counts as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.amounts import AmountError, parse_amount
from procore_xero.mapping.frames import ZERO, id_text, pluck

CENT = Decimal("0.01")

WORK = "work_completed_this_period"
STORED, STORED_BEFORE = "materials_presently_stored", "materials_presently_stored_from_previous_progress"
HELD = ("work_completed_retainage_retained_this_period", "materials_stored_retainage_new_materials")
RELEASED = (
    "work_completed_retainage_released_this_period",
    "materials_stored_retainage_released_this_period",
)
AMOUNTS = (WORK, STORED, STORED_BEFORE, *HELD, *RELEASED)
SOV_COLUMNS = ("doc_id", "option", "order", "amount", "description", "cost_code_id", "type_id")
FIGURE_COLUMNS = ("has_items", "gross_this_period", "retainage_held", "retainage_released", "bad_amounts")


def line_types(commitment_lines: pd.DataFrame) -> dict[str, str]:
    """SOV line id -> its cost type (line item type) id, from the staged commitment line items."""
    if commitment_lines.empty:
        return {}
    types = id_text(pluck(commitment_lines["line_item_type"], "id"))
    return {k: v for k, v in zip(id_text(commitment_lines["id"]), types, strict=True) if v is not None}


def read_items(
    documents: pd.DataFrame, doc_ids: pd.Series, options: pd.Series, type_of_line: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the SOV lines frame ``SOV_COLUMNS``, the period's figures ``FIGURE_COLUMNS`` aligned with
    ``documents``)."""
    raw = documents["items"] if "items" in documents.columns else pd.Series([None] * len(documents))
    lines: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    for doc_id, option, items in zip(doc_ids, options, raw, strict=True):
        document = _Document(doc_id, option)
        for position, item in enumerate(items if isinstance(items, list) else []):
            lines += document.add(position, item, type_of_line)
        figures.append(document.figures(isinstance(items, list)))
    sov = pd.DataFrame(lines, columns=list(SOV_COLUMNS))
    return sov, pd.DataFrame(figures, columns=list(FIGURE_COLUMNS), index=documents.index)


def cent_amount(value: Any) -> Decimal | None:
    """An amount to the cent (what Xero holds), exactly (``parse_amount``); missing is zero; None for
    anything else, sub-cent digits included."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ZERO
    try:
        amount = parse_amount(value)
    except AmountError:
        return None
    return amount if amount == amount.quantize(CENT) else None


class _Document:
    """One invoice's running totals while its items are read."""

    def __init__(self, doc_id: str, option: Any) -> None:
        self.doc_id, self.option = doc_id, option
        self.gross = self.held = self.released = ZERO
        self.bad: list[str] = []

    def amount(self, item: Mapping[str, Any], key: str) -> Decimal:
        value = cent_amount(item.get(key))
        if value is None:
            self.bad.append(f"{key} {item.get(key)!r}")
            return ZERO
        return value

    def add(self, position: int, item: Any, type_of_line: Mapping[str, str]) -> list[dict[str, Any]]:
        """Count one item; its work and stored-materials lines."""
        if not isinstance(item, Mapping):
            self.bad.append(f"item {position + 1} {item!r}")
            return []
        amounts = {key: self.amount(item, key) for key in AMOUNTS}
        work, materials = amounts[WORK], amounts[STORED] - amounts[STORED_BEFORE]
        self.gross += work + materials
        self.held += sum((amounts[key] for key in HELD), ZERO)
        self.released += sum((amounts[key] for key in RELEASED), ZERO)
        description = item.get("description_of_work")
        common = {
            "doc_id": self.doc_id,
            "option": self.option,
            "cost_code_id": _text(item.get("cost_code_id")),
            "type_id": type_of_line.get(_text(item.get("line_item_id")) or ""),
        }
        stored_text = (
            f"Materials stored: {description}" if isinstance(description, str) else "Materials stored"
        )
        return [
            {**common, "order": 2 * position, "amount": work, "description": description},
            {**common, "order": 2 * position + 1, "amount": materials, "description": stored_text},
        ]

    def figures(self, has_items: bool) -> dict[str, Any]:
        return {
            "has_items": has_items,
            "gross_this_period": self.gross,
            "retainage_held": self.held,
            "retainage_released": self.released,
            "bad_amounts": "; ".join(self.bad),
        }


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
