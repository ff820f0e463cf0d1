"""The Xero collections the loader writes (declared with their objects in ``procore_xero.objects``), and the
facts about Xero records the loader relies on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from procore_xero.objects import TARGETS
from procore_xero.objects import XeroTarget as Target
from procore_xero.staging.timestamps import parse_api_timestamp

__all__ = ["GONE_STATUSES", "TARGETS", "Target", "is_live", "record_id", "updated_at"]

# Statuses after which a Xero record no longer holds its natural key (numbers and names are free again).
GONE_STATUSES = frozenset({"DELETED", "VOIDED", "ARCHIVED"})


def updated_at(record: Mapping[str, Any]) -> datetime | None:
    return parse_api_timestamp(record.get("UpdatedDateUTC"))


def is_live(record: Mapping[str, Any]) -> bool:
    status = record.get("ContactStatus") or record.get("Status") or ""
    return str(status).upper() not in GONE_STATUSES and not record.get("IsDeleted", False)


def record_id(record: Mapping[str, Any], target: Target) -> str:
    return str(record[target.id_field]).lower()
