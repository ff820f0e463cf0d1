"""Builders for reference data (contacts, items, tracking): check one element, return the stored record."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sandbox.xero import rules
from sandbox.xero.dates import to_msdate
from sandbox.xero.tenant import Tenant, new_id
from sandbox.xero.views import round_unit

Built = tuple[dict[str, Any] | None, list[str]]
_READ_ONLY = frozenset(
    {
        "UpdatedDateUTC",
        "ValidationErrors",
        "StatusAttributeString",
        "HasValidationErrors",
        "HasAttachments",
        "Balances",
        "Website",
        "Discount",
    }
)


def merged(existing: dict[str, Any] | None, element: dict[str, Any]) -> dict[str, Any]:
    """The record an update produces: the stored one plus the fields sent (read-only ones ignored)."""
    record = copy.deepcopy(existing) if existing else {}
    record.update({k: copy.deepcopy(v) for k, v in element.items() if k not in _READ_ONLY})
    return record


def build_contact(
    tenant: Tenant, element: dict[str, Any], existing: dict[str, Any] | None, now: datetime
) -> Built:
    record = merged(existing, element)
    errors: list[str] = []
    name = (record.get("Name") or "").strip()
    if not name:
        errors.append("The contact name must be specified.")
    record.setdefault("ContactID", new_id())
    record.setdefault("ContactStatus", "ACTIVE")
    if name and record["ContactStatus"] == "ACTIVE":
        problem = rules.active_contact_name_taken(tenant, name, record["ContactID"])
        if problem:
            errors.append(problem)
    if record.get("DefaultCurrency") and record["DefaultCurrency"] not in tenant.enabled_currencies():
        errors.append(f"Organisation is not subscribed to currency {record['DefaultCurrency']}")
    record.setdefault("IsSupplier", False)
    record.setdefault("IsCustomer", False)
    record.setdefault("Addresses", [])
    record.setdefault("Phones", [])
    record.setdefault("ContactPersons", [])
    record.setdefault("ContactGroups", [])
    record["HasAttachments"] = False
    record["HasValidationErrors"] = False
    record["UpdatedDateUTC"] = to_msdate(now)
    return (None if errors else record), errors


def build_item(
    tenant: Tenant, element: dict[str, Any], existing: dict[str, Any] | None, now: datetime, unit_dp: int = 2
) -> Built:
    record = merged(existing, element)
    record.setdefault("ItemID", new_id())
    errors: list[str] = []
    problem = rules.item_code_taken(tenant, record["Code"], record["ItemID"])
    if problem:
        errors.append(problem)
    for details in ("PurchaseDetails", "SalesDetails"):
        if (record.get(details) or {}).get("UnitPrice") is not None:  # kept to the call's unitdp, as lines
            record[details]["UnitPrice"] = round_unit(record[details]["UnitPrice"], unit_dp)
        code = (record.get(details) or {}).get("AccountCode")
        if code and tenant.account_by_code(code) is None:
            errors.append(f"Account code '{code}' is not a valid code for this document.")
    record["IsPurchased"] = bool(record.get("PurchaseDetails"))
    record["IsSold"] = bool(record.get("SalesDetails"))
    record.setdefault("IsTrackedAsInventory", False)
    record.setdefault("Name", record["Code"])
    record["UpdatedDateUTC"] = to_msdate(now)
    return (None if errors else record), errors


def build_tracking_category(
    tenant: Tenant, element: dict[str, Any], existing: dict[str, Any] | None, now: datetime
) -> Built:
    record = merged(existing, {k: v for k, v in element.items() if k != "Options"})
    record.setdefault("TrackingCategoryID", new_id())
    record.setdefault("Status", "ACTIVE")
    record.setdefault("Options", [])
    errors: list[str] = []
    if not (record.get("Name") or "").strip():
        errors.append("Tracking category name must be specified.")
    else:
        problem = rules.tracking_name_taken(tenant, record["Name"], record["TrackingCategoryID"])
        if problem:
            errors.append(problem)
    becoming_active = record["Status"] == "ACTIVE" and (existing is None or existing["Status"] != "ACTIVE")
    if becoming_active:
        problem = rules.active_tracking_limit(tenant, record["TrackingCategoryID"])
        if problem:
            errors.append(problem)
    return (None if errors else record), errors


def add_tracking_option(category: dict[str, Any], element: dict[str, Any]) -> Built:
    """A new option on a copy of ``category``; the option is the last of its ``Options``."""
    name = (element.get("Name") or "").strip()
    if not name:
        return None, ["Tracking option name must be specified."]
    problem = rules.option_name_problem(category, name)
    if problem:
        return None, [problem]
    record = copy.deepcopy(category)
    record["Options"].append(tracking_option(element.get("TrackingOptionID") or new_id(), name))
    return record, []


def tracking_option(option_id: str, name: str) -> dict[str, Any]:
    """An active tracking option as Xero publishes it (created through the API or seeded)."""
    return {
        "TrackingOptionID": option_id,
        "Name": name,
        "Status": "ACTIVE",
        "HasValidationErrors": False,
        "IsDeleted": False,
        "IsArchived": False,
        "IsActive": True,
    }
