"""Xero's date formats: ``/Date(1552262400000+0000)/`` on the wire plus ISO ``...String`` companions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_MSDATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


def to_msdate(moment: datetime) -> str:
    """The .NET JSON date Xero writes for every date and timestamp."""
    return f"/Date({round(moment.timestamp() * 1000)}+0000)/"


def to_iso(moment: datetime) -> str:
    """The ISO form of the ``...String`` fields (no zone: Xero writes them in UTC)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def parse_date(value: str) -> datetime:
    """Read a date as a client may send it: ``/Date(ms+0000)/``, ``2026-03-01`` or ``2026-03-01T10:00:00``.

    Raises ``ValueError`` with a message fit for a ValidationError.
    """
    match = _MSDATE.match(value.strip())
    if match:
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid date") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_http_date(value: str) -> datetime:
    """``If-Modified-Since``: Xero accepts ISO 8601 (``2026-01-01T00:00:00``) as well as RFC 1123."""
    try:
        return parse_date(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(value).astimezone(UTC)
        except (TypeError, ValueError):
            raise ValueError(f"If-Modified-Since '{value}' is not a valid date") from None
