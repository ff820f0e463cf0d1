"""The Xero collections the loader writes, and the facts about Xero records it relies on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from procore_xero.staging.timestamps import parse_api_timestamp

# Statuses after which a Xero record no longer holds its natural key (numbers and names are free again).
GONE_STATUSES = frozenset({"DELETED", "VOIDED", "ARCHIVED"})


@dataclass(frozen=True)
class Target:
    """``key`` names the list in request and answer bodies; ``updatable`` says whether a changed record is
    updated in place (POST with its id) or, as tracking options, created anew under its new name."""

    target_type: str
    key: str
    id_field: str
    updatable: bool


TARGETS: dict[str, Target] = {
    t.target_type: t
    for t in (
        Target("Contacts", "Contacts", "ContactID", True),
        Target("Items", "Items", "ItemID", True),
        Target("TrackingOptions", "Options", "TrackingOptionID", False),
        Target("PurchaseOrders", "PurchaseOrders", "PurchaseOrderID", True),
        Target("Invoices", "Invoices", "InvoiceID", True),
    )
}


def updated_at(record: Mapping[str, Any]) -> datetime | None:
    return parse_api_timestamp(record.get("UpdatedDateUTC"))


def is_live(record: Mapping[str, Any]) -> bool:
    status = record.get("ContactStatus") or record.get("Status") or ""
    return str(status).upper() not in GONE_STATUSES and not record.get("IsDeleted", False)


def record_id(record: Mapping[str, Any], target: Target) -> str:
    return str(record[target.id_field]).lower()
