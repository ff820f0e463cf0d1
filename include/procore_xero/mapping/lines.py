"""Xero LineItems from a frame of document lines, shared by purchase orders, bills and sales invoices.

A lines frame has one row per line: ``doc_id``, ``order`` (position on the document), ``item_code``,
``description``, ``quantity``, ``unit_amount``, ``line_amount``, ``account_code``, ``tax_type``,
``option`` (the project's tracking option, None when the project is not synced).

Xero keeps a unit amount to 2 decimals (4 only when a call asks ``unitdp=4``) and makes the line amount
quantity × unit amount, to the cent: a line whose figures do not multiply out to its amount that way goes
as 1 × its amount, Procore's figures in the description, so Xero holds the amount Procore does.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

CENT = Decimal("0.01")
QUANTITY_PLACES = Decimal("0.0001")  # Xero keeps quantities to 4 decimals

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
    elements = ordered[list(LINE_FIELDS.values())].rename(columns=_xero_names()).to_dict("records", into=dict)
    for element, option in zip(elements, ordered["option"], strict=True):
        element.update(as_xero_stores(element))
        element["Tracking"] = [{"Name": category, "Option": option}] if isinstance(option, str) else []
        if element["ItemCode"] is None:
            del element["ItemCode"]
    grouped = pd.Series(elements, index=ordered["doc_id"].to_numpy(), dtype=object).groupby(level=0).agg(list)
    return [grouped.get(doc_id, []) for doc_id in doc_ids]


def as_xero_stores(line: dict[str, Any]) -> dict[str, Any]:
    """Quantity, UnitAmount and Description as Xero will store them with the line's amount unchanged."""
    quantity, unit, amount = line["Quantity"], line["UnitAmount"], line["LineAmount"]
    if unit is None or _multiplies_out(Decimal(str(quantity)), Decimal(str(unit)), Decimal(str(amount))):
        return {}
    figures = f"({_plain(quantity)} × {_plain(unit)} in Procore)"
    description = f"{line.get('Description') or ''} {figures}".strip()
    return {"Quantity": Decimal(1), "UnitAmount": amount, "Description": description}


def _multiplies_out(quantity: Decimal, unit: Decimal, amount: Decimal) -> bool:
    return (
        unit == unit.quantize(CENT)
        and quantity == quantity.quantize(QUANTITY_PLACES)
        and (quantity * unit).quantize(CENT, rounding=ROUND_HALF_UP) == amount
    )


def _plain(value: Any) -> str:
    """``1250``, ``87.333``: the figure without trailing zeros or exponent."""
    return f"{Decimal(str(value)).normalize():f}"


def _xero_names() -> dict[str, str]:
    return {column: name for name, column in LINE_FIELDS.items()}
