"""UTC time: the one clock staging writes with, and the parser for the APIs' timestamp formats."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_XERO_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_api_timestamp(value: str | None) -> datetime | None:
    """Timezone-aware UTC from ISO 8601 (naive = UTC) or Xero's ``/Date(1552262400000+0000)/``.

    The milliseconds in Xero's form are already UTC; its offset only says how Xero would display it.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a timestamp string, got {value!r}")
    xero = _XERO_DATE.match(value)
    if xero:
        return _EPOCH + timedelta(milliseconds=int(xero.group(1)))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 or /Date(ms)/ timestamp: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
