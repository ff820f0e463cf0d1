"""The read side of a list call: ``where``, ``order``, id/status filters, ``If-Modified-Since`` and paging."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.xero.dates import parse_date

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class QueryError(ValueError):
    """A ``where``/``order``/paging parameter Xero would refuse (400 QueryParseException)."""


_CLAUSE = re.compile(
    r"""^\s*(?P<field>[A-Za-z][\w.]*)\s*(?P<op>==|!=|>=|<=|>|<)\s*(?P<value>
        "(?:[^"\\]|\\.)*"                       # "text"
      | guid\(\s*"[0-9a-fA-F-]{36}"\s*\)        # guid("...")
      | DateTime\(\s*\d{4}\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\)  # DateTime(2026,01,31)
      | true|false|null
      | -?\d+(?:\.\d+)?
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SPLIT_AND = re.compile(r"\s*(?:&&|\bAND\b)\s*", re.IGNORECASE)
_SPLIT_OR = re.compile(r"\s*(?:\|\||\bOR\b)\s*", re.IGNORECASE)


def _split_outside_quotes(text: str, pattern: re.Pattern[str]) -> list[str]:
    parts, start, in_quotes = [], 0, False
    index = 0
    while index < len(text):
        if text[index] == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            match = pattern.match(text, index)
            if match and match.end() > match.start():
                parts.append(text[start:index])
                start = index = match.end()
                continue
        index += 1
    parts.append(text[start:])
    return parts


def _literal(raw: str) -> Any:
    lowered = raw.lower()
    if raw.startswith('"'):
        return raw[1:-1].replace('\\"', '"')
    if lowered.startswith("guid("):
        return raw[raw.index('"') + 1 : raw.rindex('"')].lower()
    if lowered.startswith("datetime("):
        year, month, day = (int(x) for x in raw[raw.index("(") + 1 : -1].split(","))
        return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    return Decimal(raw)


def field_value(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _comparable(actual: Any, expected: Any) -> tuple[Any, Any]:
    """Bring both sides to one type: strings compare case-insensitively (as Xero's database does)."""
    if isinstance(expected, datetime) and isinstance(actual, str):
        return parse_date(actual), expected
    if isinstance(expected, Decimal) and actual is not None and not isinstance(actual, bool):
        try:
            return Decimal(str(actual)), expected
        except InvalidOperation:
            return actual, expected
    if isinstance(expected, str) and isinstance(actual, str):
        return actual.lower(), expected.lower()
    return actual, expected


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    "<": lambda a, b: a is not None and a < b,
    ">=": lambda a, b: a is not None and a >= b,
    "<=": lambda a, b: a is not None and a <= b,
}


def compile_where(expression: str) -> Callable[[dict[str, Any]], bool]:
    """``Type=="ACCPAY" && Contact.ContactID==guid("...")``; AND binds tighter than OR; no parens."""
    alternatives: list[list[tuple[str, str, Any]]] = []
    for branch in _split_outside_quotes(expression, _SPLIT_OR):
        clauses = []
        for clause in _split_outside_quotes(branch, _SPLIT_AND):
            match = _CLAUSE.match(clause)
            if match is None:
                raise QueryError(f"The where clause could not be parsed near '{clause.strip()}'")
            clauses.append((match["field"], match["op"], _literal(match["value"].strip())))
        alternatives.append(clauses)

    def predicate(record: dict[str, Any]) -> bool:
        for clauses in alternatives:
            ok = True
            for field_name, op, expected in clauses:
                actual, wanted = _comparable(field_value(record, field_name), expected)
                try:
                    ok = _OPS[op](actual, wanted)
                except TypeError:
                    ok = False
                if not ok:
                    break
            if ok:
                return True
        return False

    return predicate


def apply_order(records: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """``order=Name ASC, UpdatedDateUTC DESC``; dates in /Date()/ form sort by their instant."""
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"The order clause '{order}' could not be parsed")
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    for field_name, descending in reversed(keys):
        records = sorted(
            records, key=lambda r, f=field_name: _sort_key(field_value(r, f)), reverse=descending
        )
    return records


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str) and value.startswith("/Date("):
        return (1, parse_date(value).timestamp())
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (1, Decimal(str(value)))
    return (2, str(value).lower())


def csv_filter(records: Iterable[dict[str, Any]], field_name: str, raw: str | None) -> list[dict[str, Any]]:
    """``IDs=a,b`` / ``Statuses=DRAFT,PAID`` / ``ContactIDs=...`` / ``InvoiceNumbers=...`` (any case)."""
    if not raw:
        return list(records)
    wanted = {v.strip().lower() for v in raw.split(",") if v.strip()}
    return [r for r in records if str(field_value(r, field_name) or "").lower() in wanted]


def modified_since(records: Iterable[dict[str, Any]], since: datetime | None) -> list[dict[str, Any]]:
    """``If-Modified-Since``; a record without ``UpdatedDateUTC`` (a tracking category created through the
    API: Xero's TrackingCategory has no such field) is always listed, as the header cannot judge it."""
    if since is None:
        return list(records)
    return [r for r in records if "UpdatedDateUTC" not in r or parse_date(r["UpdatedDateUTC"]) > since]


def page_of(
    records: list[dict[str, Any]], page: str | None, page_size: str | None
) -> tuple[list, dict[str, int]]:
    """Xero's 1-based pages; ``pageSize`` defaults to 100 and is capped at 1000."""
    try:
        number = int(page) if page else 1
        size = int(page_size) if page_size else DEFAULT_PAGE_SIZE
    except ValueError:
        raise QueryError("page and pageSize must be whole numbers") from None
    number, size = max(1, number), min(max(1, size), MAX_PAGE_SIZE)
    start = (number - 1) * size
    pagination = {
        "page": number,
        "pageSize": size,
        "pageCount": math.ceil(len(records) / size),
        "itemCount": len(records),
    }
    return records[start : start + size], pagination
