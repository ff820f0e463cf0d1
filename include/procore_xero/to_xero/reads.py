"""Bulk reads of Xero records at the fewest calls: whole collections, or ≤ 50 values per filtered call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from procore_xero.clients import XeroClient

VALUES_PER_CALL = 50


def all_records(client: XeroClient, endpoint: str, params: Mapping[str, Any] | None = None) -> list[dict]:
    """Every record of a paged collection, at the client's page size (1,000)."""
    return [record for page in client.pages(endpoint, params) for record in page]


def unpaged_records(client: XeroClient, endpoint: str, params: Mapping[str, Any] | None = None) -> list[dict]:
    """Items, TrackingCategories: one GET answers the whole list."""
    return list((client.get(endpoint, params) or {}).get(endpoint, []))


def records_matching(
    client: XeroClient,
    endpoint: str,
    param: str,
    values: Iterable[str],
    params: Mapping[str, Any] | None = None,
) -> list[dict]:
    """Records whose ``param`` filter (``IDs``, ``InvoiceNumbers``…) takes the given values, 50 per call."""
    wanted = sorted({str(v) for v in values if v})
    found: list[dict] = []
    for start in range(0, len(wanted), VALUES_PER_CALL):
        chunk = ",".join(wanted[start : start + VALUES_PER_CALL])
        found += all_records(client, endpoint, {**(params or {}), param: chunk})
    return found
