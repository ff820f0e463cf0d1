"""Business rules Xero enforces beyond the schema, with messages as close to Xero's own as known."""

from __future__ import annotations

from typing import Any

from sandbox.xero.tenant import Tenant

MAX_ACTIVE_TRACKING_CATEGORIES = 2
TRACKING_OPTION_NAME_MAX = 50
EDITABLE_INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
# status now -> statuses an update may move it to
INVOICE_TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "VOIDED"},
    "PAID": set(),
    "VOIDED": set(),
    "DELETED": set(),
}
PO_TRANSITIONS = {
    "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
    "AUTHORISED": {"AUTHORISED", "BILLED", "DELETED"},
    "BILLED": {"BILLED", "AUTHORISED"},
    "DELETED": set(),
}


def active_contact_name_taken(tenant: Tenant, name: str, own_id: str | None) -> str | None:
    for contact in tenant.records["Contacts"].values():
        if (
            contact["ContactID"] != own_id
            and contact.get("ContactStatus", "ACTIVE") == "ACTIVE"
            and contact["Name"].strip().lower() == name.strip().lower()
        ):
            return (
                f"The contact name {name} is already assigned to another contact. "
                "The contact name must be unique across all active contacts."
            )
    return None


def item_code_taken(tenant: Tenant, code: str, own_id: str | None) -> str | None:
    other = tenant.find("Items", "Code", code)
    if other is not None and other["ItemID"] != own_id:
        return f"Item code '{code}' already exists"
    return None


def active_tracking_limit(tenant: Tenant, own_id: str | None) -> str | None:
    active = [
        c
        for c in tenant.records["TrackingCategories"].values()
        if c["Status"] == "ACTIVE" and c["TrackingCategoryID"] != own_id
    ]
    if len(active) >= MAX_ACTIVE_TRACKING_CATEGORIES:
        return "You can only have 2 active tracking categories. Archive or delete one before adding another."
    return None


def tracking_name_taken(tenant: Tenant, name: str, own_id: str | None) -> str | None:
    for category in tenant.records["TrackingCategories"].values():
        if (
            category["TrackingCategoryID"] != own_id
            and category["Status"] != "DELETED"
            and category["Name"].lower() == name.lower()
        ):
            return f"The tracking category name '{name}' is already in use."
    return None


def option_name_problem(category: dict[str, Any], name: str) -> str | None:
    if len(name) > TRACKING_OPTION_NAME_MAX:
        return f"Tracking option name '{name}' must be {TRACKING_OPTION_NAME_MAX} characters or less."
    if any(o["Name"].lower() == name.lower() and o["Status"] != "DELETED" for o in category["Options"]):
        category_name = category["Name"]
        return (
            f"The tracking option name '{name}' is already in use in the tracking category '{category_name}'."
        )
    return None


def transition_problem(kind: str, current: str, wanted: str, amount_paid: Any) -> str | None:
    """Xero refuses edits of paid, voided and deleted documents and skips of the status ladder."""
    table = PO_TRANSITIONS if kind == "PurchaseOrder" else INVOICE_TRANSITIONS
    if kind == "Invoice" and current in ("AUTHORISED", "PAID") and amount_paid:
        return "This document cannot be edited as it has a payment or credit note allocated to it."
    if wanted not in table.get(current, set()):
        noun = "Purchase order" if kind == "PurchaseOrder" else "Invoice"
        return f"{noun} not of valid status for modification (status {current} cannot change to {wanted})"
    return None
