"""Budget figures from a budget view's detail rows: Procore publishes no budget line item list.

A detail row carries published fixed fields (``project_id``, ``cost_code_id``, ``category_id`` = the cost
type) and then the view's own columns as extra keys, named as the view names them. ``VIEW_COLUMNS`` are the
names of Procore's standard budget view; a company whose view names them otherwise must rename them here.
Amounts arrive as strings and are parsed exactly; an amount that is not one names its row and column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.amounts import AmountError, parse_amount
from procore_xero.mapping.frames import ZERO, id_text
from procore_xero.object_column import object_column

KEY = ["project_id", "cost_code_id", "line_item_type_id"]
# figure -> the view's column holding it
VIEW_COLUMNS = {
    "original_budget": "Original Budget Amount",
    "revised_budget": "Revised Budget",
    "committed": "Committed Costs",
    "direct_costs": "Direct Costs",
    "job_to_date": "Job to Date Costs",
}


class BudgetViewError(ValueError):
    """A detail row the budget cannot be read from (a missing column, an amount that is not one)."""


def budget_figures(rows: pd.DataFrame, line_item_types: pd.DataFrame) -> pd.DataFrame:
    """One row per budget line: ``KEY`` as text ids, ``budget_key`` (cost code id / cost type code, as
    commitment lines are keyed) and each ``VIEW_COLUMNS`` figure as an exact Decimal."""
    columns = [*KEY, "budget_key", *VIEW_COLUMNS]
    if rows.empty:
        return pd.DataFrame(columns=columns).astype(object)
    missing = [name for name in VIEW_COLUMNS.values() if name not in rows]
    if missing:
        raise BudgetViewError(
            f"the budget view's detail rows lack the column(s) {', '.join(map(repr, missing))}; "
            f"the budget is read from {', '.join(map(repr, VIEW_COLUMNS.values()))}"
        )
    codes = dict(zip(id_text(line_item_types["id"]), line_item_types["code"], strict=True))
    out = pd.DataFrame(
        {
            "project_id": id_text(rows["project_id"]),
            "cost_code_id": id_text(rows["cost_code_id"]),
            "line_item_type_id": id_text(rows["category_id"]),
        }
    )
    out["budget_key"] = out["cost_code_id"] + "/" + out["line_item_type_id"].map(codes).fillna("?")
    for figure, column in VIEW_COLUMNS.items():
        pairs = zip(rows["id"], rows[column], strict=True)
        amounts = (_amount(row_id, column, value) for row_id, value in pairs)
        out[figure] = object_column(out, amounts)
    return out[columns].astype(object)


def _amount(row_id: Any, column: str, value: Any) -> Decimal:
    if value is None or value == "":
        return ZERO
    try:
        return parse_amount(value)
    except AmountError as exc:
        raise BudgetViewError(f"budget view row {row_id}: {column!r}: {exc}") from exc
