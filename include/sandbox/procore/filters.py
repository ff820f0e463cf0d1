"""``filters[...]`` on list actions: updated_at / created_at ranges, deletions, origin_id, ids and fields."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

from starlette.datastructures import QueryParams

from sandbox.procore.errors import bad_request

FieldKey = Callable[[dict[str, Any]], Any]
GENERIC_FILTERS = frozenset({"updated_at", "created_at", "id", "origin_id", "include_deleted"})
_FILTER = re.compile(r"^filters\[(\w+)\](\[\])?$")


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().strip('"').replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _range(name: str, raw: str) -> tuple[datetime, datetime]:
    start, sep, end = raw.strip().strip('"').partition("...")
    if not sep:
        raise bad_request(
            f"filters[{name}] must be a range 'START...END' of ISO 8601 date-times, got {raw!r}"
        )
    try:
        return parse_time(start), parse_time(end)
    except ValueError as exc:
        raise bad_request(f"filters[{name}]: {raw!r} is not a range of ISO 8601 date-times") from exc


def requested_filters(query: QueryParams) -> dict[str, list[str]]:
    """``filters[name]=v`` and ``filters[name][]=v1&filters[name][]=v2`` as name -> values."""
    found: dict[str, list[str]] = {}
    for key, value in query.multi_items():
        match = _FILTER.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(v for v in value.split(",") if v != "")
    return found


def apply_filters(
    rows: Iterable[dict[str, Any]],
    query: QueryParams,
    fields: Mapping[str, FieldKey],
    generic: frozenset[str] = GENERIC_FILTERS,
) -> list[dict[str, Any]]:
    """The rows a list action returns: deleted ones hidden unless asked for, then every filter ANDed.

    ``generic``: which of ``GENERIC_FILTERS`` this list publishes. Filters the list does not publish are
    ignored, as Procore ignores unknown parameters.
    """
    filters = {
        name: values
        for name, values in requested_filters(query).items()
        if name in fields or (name in generic and name in GENERIC_FILTERS)
    }
    deleted = next(iter(filters.pop("include_deleted", [])), None)
    if deleted not in (None, "with", "only"):
        raise bad_request(f"filters[include_deleted] must be 'with' or 'only', got {deleted!r}")
    tests: list[Callable[[dict[str, Any]], bool]] = []
    if deleted is None:
        tests.append(lambda r: r.get("deleted_at") is None)
    elif deleted == "only":
        tests.append(lambda r: r.get("deleted_at") is not None)
    for stamp in ("updated_at", "created_at"):
        if stamp in filters:
            start, end = _range(stamp, ",".join(filters.pop(stamp)))
            tests.append(partial(_stamped_within, stamp, start, end))
    if "id" in filters:
        ids = set(filters.pop("id"))
        tests.append(lambda r: str(r["id"]) in ids)
    for name, values in filters.items():
        key = fields.get(name) or {"origin_id": lambda r: r.get("origin_id")}.get(name)
        parts = [v.lower() for v in values]
        if name == "search" and key is not None:  # a case-insensitive part of the name
            tests.append(partial(_names_any, key, parts))
        elif key is not None:
            wanted = set(parts)
            tests.append(partial(_is_one_of, key, wanted))
    return [row for row in rows if all(test(row) for test in tests)]


def _stamped_within(stamp: str, start: datetime, end: datetime, record: dict[str, Any]) -> bool:
    return start <= parse_time(record[stamp]) <= end


def _names_any(key: Callable[[dict[str, Any]], Any], parts: list[str], record: dict[str, Any]) -> bool:
    return any(part in str(key(record)).lower() for part in parts)


def _is_one_of(key: Callable[[dict[str, Any]], Any], wanted: set[str], record: dict[str, Any]) -> bool:
    return str(key(record)).lower() in wanted
