"""Small pandas helpers for the report: flattening nested API records and exact Decimal group sums."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import reduce
from typing import Any

import pandas as pd

from procore_xero.reports.money import ZERO, dec


def rows_frame(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame of ``columns`` (object dtype, so Decimals and ids stay as they are), empty when no rows."""
    return pd.DataFrame(list(rows), columns=columns).astype(object)


def records(frame: pd.DataFrame, where: Callable[[Mapping[str, Any]], bool] | None = None) -> list[dict]:
    """The frame's rows as dicts (optionally filtered): the staged API records as sent."""
    if frame.empty:
        return []
    rows = frame.to_dict("records", into=dict)
    return [row for row in rows if where is None or where(row)]


def sum_by(frame: pd.DataFrame, keys: list[str], figures: Iterable[str]) -> pd.DataFrame:
    """One row per ``keys`` with each figure summed exactly (Decimal; an empty group sums to 0.00)."""
    figures = list(figures)
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *figures]).astype(object)
    grouped = frame.groupby(keys, sort=True, dropna=False)
    # pandas-stubs allow no Decimal aggregate (nor scalar, below): pandas keeps any object in object columns
    out = pd.DataFrame({name: grouped[name].agg(lambda group: sum(group, ZERO)) for name in figures})  # type: ignore[type-var]
    return out.reset_index().astype(object)


def merge_outer(frames: list[pd.DataFrame], keys: list[str], figures: Iterable[str]) -> pd.DataFrame:
    """Outer-join partial figure frames on ``keys``; a figure missing for a key is 0.00."""
    merged = reduce(lambda left, right: left.merge(right, on=keys, how="outer"), frames)
    for name in figures:
        merged[name] = merged[name].map(dec) if name in merged else ZERO  # type: ignore[assignment]
    return merged.astype(object)


def text_id(value: Any) -> str | None:
    """Ids as text (the crosswalk's form); None stays None."""
    return None if value is None or (isinstance(value, float) and value != value) else str(value)


def total(values: Iterable[Decimal]) -> Decimal:
    return sum((dec(v) for v in values), ZERO)
