"""Small vectorised helpers the transforms share: nested fields, ids, money, item codes, frame assembly."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.amounts import AmountError, parse_amount
from procore_xero.mapping.payloads import build_payloads
from procore_xero.object_column import object_column
from procore_xero.outgoing import FRAME_COLUMNS

ZERO = Decimal("0.00")
CONTROL_NAMES = {"\x00": "NUL", "\n": "line break", "\r": "line break", "\t": "tab"}


def _each(series: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` of every value as an object column (``Series.map`` would infer a string dtype and turn
    None into NaN)."""
    return pd.Series([function(value) for value in series], index=series.index, dtype=object)


def pluck(series: pd.Series, key: str) -> pd.Series:
    """``record[key]`` of a column of nested dicts (None where the dict is missing)."""
    return _each(series, lambda value: value.get(key) if isinstance(value, Mapping) else None)


def id_text(series: pd.Series) -> pd.Series:
    """Ids as str (None stays None): the crosswalk and the frames key on text. A column of ids with a gap
    arrives from pandas as floats (``5.0``, NaN): whole floats read as the integer id."""
    return _each(series, _id_text)


def _id_text(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def text_or_none(series: pd.Series) -> pd.Series:
    """Text with blanks and missing values as None; so is text with nothing visible in it (only spaces and
    format characters such as a right-to-left mark or a zero-width space)."""
    return _each(series, visible_text)


def visible_text(value: Any) -> str | None:
    """One value as ``text_or_none`` reads it."""
    if not isinstance(value, str):
        return None
    visible = any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc") for ch in value)
    return value.strip() if visible else None


def control_characters(series: pd.Series) -> pd.Series:
    """The control characters (NUL, line breaks, tabs…) in each text value, named, "" when none."""
    return _each(series, controls_in)


def controls_in(value: Any) -> str:
    """One value's control characters, named once each ("NUL, line break"); "" for none or for non-text."""
    if not isinstance(value, str):
        return ""
    found = (CONTROL_NAMES.get(ch, f"U+{ord(ch):04X}") for ch in value if unicodedata.category(ch) == "Cc")
    return ", ".join(dict.fromkeys(found))


def valid_dates(series: pd.Series) -> pd.Series:
    """True where the value is a calendar date written ``YYYY-MM-DD`` (what Xero takes); missing, other
    types, impossible days (2025-02-30) and free text are False, for validation to hold."""
    return pd.Series([_is_iso_date(value) for value in series], index=series.index, dtype=bool)


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def money(series: pd.Series) -> pd.Series:
    """Exact amounts from Procore's strings or numbers (``parse_amount``), missing -> 0.00; a value that is
    not an amount raises ``AmountError`` naming the column and the row."""

    def parse(index: Any, value: Any) -> Decimal:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ZERO
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise AmountError(f"{series.name or 'amount'} of row {index}: {exc}") from exc

    return pd.Series(
        [parse(i, v) for i, v in series.items()], index=series.index, dtype=object, name=series.name
    )


def or_zero(value: object) -> Decimal:
    """A Decimal as is, anything else (a group with no sum: NaN) as 0.00."""
    return value if isinstance(value, Decimal) else ZERO


def decimal_sum(series: pd.Series, by: Any) -> pd.Series:
    """Per-group Decimal sums (pandas' own sum of an empty object group is the int 0)."""
    return series.groupby(by).agg(lambda group: sum(group, ZERO))


def item_codes(cost_codes: pd.Series, cost_types: pd.Series, separator: str) -> pd.Series:
    """Xero Item Code = cost code + separator + cost type; never cut (validation flags > 30)."""
    return cost_codes.astype(str) + separator + cost_types.astype(str)


def format_columns(template: str, columns: Mapping[str, pd.Series]) -> pd.Series:
    """``template`` (``"{po_number}-{requisition_number}"``) filled from ``columns``, vectorised: a settings
    value names the parts of a number without code. A row with a missing part gets None."""
    index = next(iter(columns.values())).index
    out = pd.Series("", index=index, dtype=object)
    missing = pd.Series(False, index=index)
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out = out + literal
        if field is not None:
            if field not in columns:
                raise KeyError(f"{template!r} names {{{field}}}; known: {sorted(columns)}")
            missing = missing | columns[field].isna()
            out = out + columns[field].astype(str)
    return out.where(~missing, None).astype(object)


def finish(
    frame: pd.DataFrame,
    *,
    target_type: str,
    source_type: str | None,
    natural_key: Mapping[str, str],
    fields: Mapping[str, Any],
    columns: tuple[str, ...],
) -> pd.DataFrame:
    """The contract frame: FRAME_COLUMNS, then the validation ``columns``.

    ``natural_key`` maps a Xero field to the frame column that holds it; ``source_type`` None keeps the
    frame's own ``source_type`` column (rows from more than one source).
    """
    out = frame.copy()
    out["target_type"] = target_type
    if source_type is not None:
        out["source_type"] = source_type
    keys = frame[list(natural_key.values())].astype(object).itertuples(index=False)
    out["natural_key"] = object_column(out, (dict(zip(natural_key, values, strict=True)) for values in keys))
    out["payload"] = object_column(out, build_payloads(frame, fields) if len(frame) else [])
    return out[[*FRAME_COLUMNS, *columns]].reset_index(drop=True)
