"""Document arithmetic, exact to the cent: line amounts, tax by ``LineAmountTypes``, totals, amounts due."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.xero.jsonout import cents

LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")


def to_decimal(value: Any, default: str = "0") -> Decimal:
    """JSON numbers arrive as floats: going through ``str()`` keeps 0.1 as 0.1, not 0.1000000000000000055."""
    if value is None:
        return Decimal(default)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def line_amount(line: dict[str, Any]) -> Decimal:
    """Quantity x UnitAmount less any discount rate; a line sent with only ``LineAmount`` keeps it."""
    if line.get("UnitAmount") is None and line.get("LineAmount") is not None:
        return cents(to_decimal(line["LineAmount"]))
    gross = to_decimal(line.get("Quantity"), "1") * to_decimal(line.get("UnitAmount"))
    discount = to_decimal(line.get("DiscountRate"))
    return cents(gross * (Decimal(100) - discount) / Decimal(100))


def line_tax(amount: Decimal, rate_percent: Decimal, amount_types: str) -> Decimal:
    if amount_types == "NoTax" or not rate_percent:
        return Decimal("0.00")
    if amount_types == "Inclusive":
        return cents(amount * rate_percent / (Decimal(100) + rate_percent))
    return cents(amount * rate_percent / Decimal(100))


def apply_totals(document: dict[str, Any], tax_rate_of: dict[int, Decimal]) -> None:
    """Fill each line's ``LineAmount``/``TaxAmount`` and the document's SubTotal, TotalTax and Total.

    ``tax_rate_of`` maps a line's index to its tax rate in percent (from its TaxType or its account's).
    """
    amount_types = document.get("LineAmountTypes") or "Exclusive"
    sub_total = total_tax = Decimal("0.00")
    for index, line in enumerate(document.get("LineItems") or []):
        amount = line_amount(line)
        tax = line_tax(amount, tax_rate_of.get(index, Decimal(0)), amount_types)
        line["Quantity"] = to_decimal(line.get("Quantity"), "1")
        line["UnitAmount"] = to_decimal(line.get("UnitAmount", amount))
        line["LineAmount"] = amount
        line["TaxAmount"] = tax
        sub_total += amount - tax if amount_types == "Inclusive" else amount
        total_tax += tax
    document["LineAmountTypes"] = amount_types
    document["SubTotal"] = sub_total
    document["TotalTax"] = total_tax
    document["Total"] = sub_total + total_tax


def apply_amount_due(invoice: dict[str, Any]) -> None:
    """AmountPaid from the live payments on the invoice; AmountDue = Total - AmountPaid."""
    paid = sum((to_decimal(p["Amount"]) for p in invoice.get("Payments") or []), Decimal("0.00"))
    invoice["AmountPaid"] = cents(paid)
    invoice["AmountDue"] = cents(to_decimal(invoice["Total"]) - paid)
    invoice["AmountCredited"] = Decimal("0.00")
