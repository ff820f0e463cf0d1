"""A frame column of Python objects (Decimal amounts, payload dicts, line lists), typed for pandas-stubs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd


def object_column(frame: pd.DataFrame, values: Iterable[Any]) -> pd.Series:
    """``values``, one per row of ``frame`` in order, as an object column on its index: what assigning the
    list does, but pandas-stubs types a list column as scalars only (no Decimal, dict or list)."""
    return pd.Series(list(values), index=frame.index, dtype=object)
