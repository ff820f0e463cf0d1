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


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<guid>guid\(\s*"[0-9a-fA-F-]{36}"\s*\))
      | (?P<datetime>DateTime\(\s*\d{4}\s*,\s*\d{1,2}\s*,\s*\d{1,2}\s*\))
      | (?P<and>&&|\bAND\b)
      | (?P<or>\|\||\bOR\b)
      | (?P<op>==|!=|>=|<=|>|<)
      | (?P<open>\()
      | (?P<close>\))
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
# Xero's string methods in ``where`` (``Name.Contains("Steel")``); strings compare case-insensitively.
_METHODS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda actual, wanted: wanted in actual,
    "startswith": lambda actual, wanted: actual.startswith(wanted),
    "endswith": lambda actual, wanted: actual.endswith(wanted),
}
_WORDS = {"true": True, "false": False, "null": None}

Predicate = Callable[[dict[str, Any]], bool]


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens, index = [], 0
    while index < len(expression):
        if expression[index:].strip() == "":
            break
        match = _TOKEN.match(expression, index)
        if match is None or match.lastgroup is None:
            raise QueryError(f"The where clause could not be parsed near '{expression[index:].strip()}'")
        tokens.append((match.lastgroup, match[match.lastgroup]))
        index = match.end()
    return tokens


def _literal(kind: str, raw: str) -> Any:
    if kind == "string":
        return raw[1:-1].replace('\\"', '"')
    if kind == "guid":
        return raw[raw.index('"') + 1 : raw.rindex('"')].lower()
    if kind == "datetime":
        year, month, day = (int(x) for x in raw[raw.index("(") + 1 : -1].split(","))
        return parse_date(f"{year:04d}-{month:02d}-{day:02d}")
    if kind == "number":
        return Decimal(raw)
    if kind == "name" and raw.lower() in _WORDS:
        return _WORDS[raw.lower()]
    raise QueryError(f"The where clause expects a value, not '{raw}'")


class _Parser:
    """``a == 1 AND (b.Contains("x") OR c != null)``: OR of ANDs of comparisons, methods and groups."""

    def __init__(self, expression: str) -> None:
        self.tokens = _tokens(expression)
        self.at = 0

    def _peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def _take(self, kind: str) -> str:
        found, raw = self._peek()
        if found != kind:
            near = raw or "the end of the clause"
            raise QueryError(f"The where clause could not be parsed near '{near}': expected {kind}")
        self.at += 1
        return raw

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._peek()[0] != "end":
            raise QueryError(f"The where clause could not be parsed near '{self._peek()[1]}'")
        return predicate

    def _or(self) -> Predicate:
        branches = [self._and()]
        while self._peek()[0] == "or":
            self.at += 1
            branches.append(self._and())
        return branches[0] if len(branches) == 1 else lambda r: any(b(r) for b in branches)

    def _and(self) -> Predicate:
        parts = [self._primary()]
        while self._peek()[0] == "and":
            self.at += 1
            parts.append(self._primary())
        return parts[0] if len(parts) == 1 else lambda r: all(p(r) for p in parts)

    def _primary(self) -> Predicate:
        if self._peek()[0] == "open":
            self.at += 1
            inner = self._or()
            self._take("close")
            return inner
        name = self._take("name")
        field_path, _, method = name.rpartition(".")
        if self._peek()[0] == "open" and field_path and method.lower() in _METHODS:
            self.at += 1
            wanted = _literal("string", self._take("string"))
            self._take("close")
            test = _METHODS[method.lower()]
            return lambda r: _text_test(field_value(r, field_path), wanted, test)
        op = self._take("op")
        kind, raw = self._peek()
        self.at += 1
        expected = _literal(kind, raw)
        return lambda r: _compare(field_value(r, name), op, expected)


def _text_test(actual: Any, wanted: str, test: Callable[[str, str], bool]) -> bool:
    return isinstance(actual, str) and test(actual.lower(), wanted.lower())


def _compare(actual: Any, op: str, expected: Any) -> bool:
    left, right = _comparable(actual, expected)
    try:
        return _OPS[op](left, right)
    except TypeError:
        return False


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


def compile_where(expression: str) -> Predicate:
    """``Type=="ACCPAY" && (Name.Contains("Steel") OR Contact.ContactID==guid("..."))``; AND binds
    tighter than OR; parentheses group; ``.Contains``/``.StartsWith``/``.EndsWith`` take a string."""
    return _Parser(expression).parse()


def apply_order(records: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """``order=Name ASC, UpdatedDateUTC DESC``; dates in /Date()/ form sort by their instant."""
    keys = []
    for part in order.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"The order clause '{order}' could not be parsed")
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    for field_name, descending in reversed(keys):
        records = sorted(records, key=lambda r: _sort_key(field_value(r, field_name)), reverse=descending)
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
