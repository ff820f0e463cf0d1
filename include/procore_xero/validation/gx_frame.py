"""The frame GX sees: only the checked columns, money as integer cents, derived keys computed up front.

GX compares with numpy/pandas operators and writes failing values into its JSON results; ``Decimal``
objects would either be compared as Python objects or serialised as floats there. Integer cents keep
both exact. Every amount checked here is a document total, which Xero holds to the cent, so a value with
sub-cent digits is a transform bug and fails loudly instead of being rounded.
"""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.vendor_names import name_key
from procore_xero.validation.rules import ObjectRules

CENTS_PER_UNIT = 100


def to_gx_frame(frame: pd.DataFrame, suite: ObjectRules) -> pd.DataFrame:
    """``source_id`` plus every column the suite's rules read, ready for exact comparison in GX."""
    checked = dict.fromkeys(c for rule in suite.rules for c in rule.columns())
    derived = {column: _name_key(frame[source]) for column, source in suite.derived.items()}
    gx_frame = pd.DataFrame({"source_id": frame["source_id"].astype(str)}, index=frame.index)
    for column in checked:
        if column in derived:
            gx_frame[column] = derived[column]
        elif column in suite.money_columns:
            gx_frame[column] = to_cents(frame[column], optional=column in suite.optional_money)
        else:
            gx_frame[column] = frame[column]
    return gx_frame.reset_index(drop=True)


def to_cents(amounts: pd.Series, *, optional: bool = False) -> pd.Series:
    """Decimal amounts as nullable integer cents (``Int64``); exact or an error, never rounded."""
    missing = amounts.isna()
    if missing.any() and not optional:
        raise ValueError(f"money column {amounts.name!r} has no amount for {int(missing.sum())} row(s)")
    cents = amounts[~missing] * CENTS_PER_UNIT
    whole = cents.map(int)
    inexact = cents != whole
    if inexact.any():
        raise ValueError(
            f"money column {amounts.name!r} has sub-cent amounts: {list(amounts[~missing][inexact])}"
        )
    return pd.Series(whole, index=amounts.index, dtype="Int64")


def _name_key(names: pd.Series) -> pd.Series:
    """The one company-name rule (``mapping.vendor_names``): two vendors whose names differ only in case,
    spaces, punctuation or legal suffix are one company, so one Xero supplier; no name, no key."""
    return names.map(lambda name: name_key(name) or None).astype(object)
