"""Procore's paging: ``page`` / ``per_page`` in, ``Total`` / ``Per-Page`` / ``Link`` headers out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import URL, QueryParams

from sandbox.procore.errors import bad_request

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 2000  # Procore asks clients to stay at or below 2,000; larger requests are cut to it


def _positive_int(query: QueryParams, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad_request(f"{name} must be a positive integer, got {raw!r}") from exc
    if value < 1:
        raise bad_request(f"{name} must be a positive integer, got {raw!r}")
    return value


def paginate(rows: Sequence[Any], url: URL, query: QueryParams) -> tuple[Sequence[Any], dict[str, str]]:
    """One page of ``rows`` and the headers describing the rest."""
    page = _positive_int(query, "page", 1)
    per_page = min(_positive_int(query, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    last = max(1, math.ceil(len(rows) / per_page))

    def link(number: int, rel: str) -> str:
        return f'<{url.include_query_params(page=number, per_page=per_page)}>; rel="{rel}"'

    links = []
    if page > 1:  # pagination.md: page 2 of 3 carries first, next and last, no prev
        links.append(link(1, "first"))
    if page < last:
        links += [link(page + 1, "next")]
    links.append(link(last, "last"))
    headers = {"Total": str(len(rows)), "Per-Page": str(per_page), "Link": ", ".join(links)}
    return rows[(page - 1) * per_page : page * per_page], headers
