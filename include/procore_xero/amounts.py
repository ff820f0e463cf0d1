"""Amounts read from Procore, parsed exactly.

Procore sends most amounts as JSON strings (``"1234.50"``) and some as JSON numbers (budget line items,
budget view detail rows); staging parses numbers to ``Decimal`` (``staging.jsoncodec``) and keeps strings
as sent. Every reader of a Procore amount goes through ``parse_amount``, so both arrive as the same exact
``Decimal`` and anything else is refused with what it was, never guessed at or rounded through a float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class AmountError(ValueError):
    """A value where Procore publishes an amount that is not one (names the value; callers add where)."""


def parse_amount(value: Any) -> Decimal:
    """``"1234.50"``, ``Decimal("1234.50")`` or ``1234`` as ``Decimal("1234.50")``-exact; a float, a
    boolean, an empty or non-numeric string, NaN or infinity raise ``AmountError``."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError(f"{value!r} is not a finite amount")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _NUMERIC.match(value):
        return Decimal(value)
    if isinstance(value, float):
        raise AmountError(f"float {value!r} is not an exact amount: parse API JSON with Decimals")
    raise AmountError(f'{value!r} is not an amount (Procore sends a decimal string such as "1234.50")')
