"""Xero LineItems from a frame of document lines, shared by purchase orders, bills and sales invoices.

A lines frame has one row per line: ``doc_id``, ``order`` (position on the document), ``item_code``,
``description``, ``quantity``, ``unit_amount``, ``line_amount``, ``account_code``, ``tax_type``,
``option`` (the project's tracking option, None when the project is not synced).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

LINE_FIELDS = {
    "ItemCode": "item_code",
    "Description": "description",
    "Quantity": "quantity",
    "UnitAmount": "unit_amount",
    "LineAmount": "line_amount",
    "AccountCode": "account_code",
    "TaxType": "tax_type",
}


def line_items(lines: pd.DataFrame, doc_ids: pd.Series, category: str) -> list[list[dict[str, Any]]]:
    """Per document in ``doc_ids`` order, its LineItems (in ``order``), each tracked to its project."""
    ordered = lines.sort_values(["doc_id", "order"], kind="stable")
    elements = ordered[list(LINE_FIELDS.values())].rename(columns=_xero_names()).to_dict("records")
    for element, option in zip(elements, ordered["option"], strict=True):
        element["Tracking"] = [{"Name": category, "Option": option}] if isinstance(option, str) else []
        if element["ItemCode"] is None:
            del element["ItemCode"]
    grouped = pd.Series(elements, index=ordered["doc_id"].to_numpy(), dtype=object).groupby(level=0).agg(list)
    return [grouped.get(doc_id, []) for doc_id in doc_ids]


def _xero_names() -> dict[str, str]:
    return {column: name for name, column in LINE_FIELDS.items()}
