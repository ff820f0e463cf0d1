"""Before updating a record the sync wrote: has a person changed it in Xero since? And which line ids
must the update carry so Xero keeps (and appends to) the existing lines rather than replacing them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any

from procore_xero.clients import XeroClient
from procore_xero.staging.id_map import Mapping as IdMapping
from procore_xero.to_xero.reads import all_records, records_matching, unpaged_records
from procore_xero.to_xero.targets import TARGETS, record_id, updated_at


def current_copies(client: XeroClient, target_type: str, target_ids: Iterable[str]) -> dict[str, dict]:
    """Xero id (lower case) -> its current record, read in bulk: ``IDs=`` 50 per call where Xero has it,
    one GET for Items, every page for purchase orders (Xero has no id filter on them)."""
    ids = {str(i).lower() for i in target_ids}
    if not ids:
        return {}
    if target_type == "Items":
        found = unpaged_records(client, "Items")
    elif target_type == "PurchaseOrders":
        found = all_records(client, "PurchaseOrders")
    else:
        extra = {"includeArchived": "true"} if target_type == "Contacts" else None
        found = records_matching(client, target_type, "IDs", ids, extra)
    target = TARGETS[target_type]
    return {record_id(r, target): r for r in found if record_id(r, target) in ids}


def edited_since_sync(copy: Mapping[str, Any] | None, mapping: IdMapping) -> bool:
    """True when the Xero copy is gone or its ``UpdatedDateUTC`` is newer than what the sync last wrote."""
    if copy is None:
        return True
    current, written = updated_at(copy), mapping.target_updated_at
    if current is None or written is None:
        return False
    if written.tzinfo is None:
        written = written.replace(tzinfo=UTC)
    return current > written


def with_line_item_ids(payload: Mapping[str, Any], copy: Mapping[str, Any]) -> dict[str, Any]:
    """The payload's lines take the ``LineItemID`` of the existing line at the same position; lines past
    the existing ones (appended change-order lines) go without, so Xero adds them below."""
    existing = [line.get("LineItemID") for line in copy.get("LineItems") or []]
    lines = [
        {**line, "LineItemID": existing[i]} if i < len(existing) and existing[i] else dict(line)
        for i, line in enumerate(payload.get("LineItems") or [])
    ]
    return {**payload, "LineItems": lines} if lines else dict(payload)
