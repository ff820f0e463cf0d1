"""Exact money for the report: Decimal amounts, integer cents for GX, base-currency conversion, display.

Floats never appear: GX compares integer cents, CSV cells carry the Decimal's own digits.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from procore_xero.amounts import parse_amount

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PPM = Decimal(1_000_000)
NO_BUDGET_PPM = 10**15  # "infinitely" over: spending or committing on a code with no budget


def dec(value: Any) -> Decimal:
    """Any staged amount (Decimal, int, Procore's decimal string, None/NaN) as an exact Decimal (missing ->
    0.00); anything else raises ``AmountError`` (``procore_xero.amounts``)."""
    if value is None or (isinstance(value, float) and value != value):
        return ZERO
    return parse_amount(value)


def cents(amount: Decimal) -> int:
    """Whole cents, or an error: every amount the report compares is a document or budget total."""
    value = dec(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount!r} is not whole cents")
    return int(value)


def ppm_over(over: Decimal, budget: Decimal) -> int:
    """``over`` as parts per million of ``budget``, rounded up, so ``ppm > percent × 10,000`` is exactly
    ``over / budget > percent %`` for thresholds with up to four decimals. No budget: "infinite"."""
    if over <= 0:
        return 0
    if budget <= 0:
        return NO_BUDGET_PPM
    return int((over * PPM / budget).to_integral_value(ROUND_CEILING))


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal (None without a positive whole)."""
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def to_base(amount: Decimal, rate: Decimal) -> Decimal:
    """Xero's ``CurrencyRate`` is units of the document currency per unit of base currency."""
    return (amount / rate).quantize(CENT, ROUND_HALF_UP) if rate else amount


def show(amount: Decimal | None, currency: str | None = None) -> str:
    """``1,234.56`` or ``CAD 1,234.56`` (negative with a minus sign); blank for None."""
    if amount is None:
        return ""
    text = f"{dec(amount).quantize(CENT, ROUND_HALF_UP):,.2f}"
    return f"{currency} {text}" if currency else text


def plain(amount: Decimal | None) -> str:
    """The machine-readable form for CSV cells: ``-1234.56``."""
    return "" if amount is None else str(dec(amount).quantize(CENT, ROUND_HALF_UP))
