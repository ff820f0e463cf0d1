"""The registry of staged object types: one line per type; tables, keys and parsing follow from it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class System(StrEnum):
    PROCORE = "procore"
    XERO = "xero"


# Xero statuses that mean the record is gone. VOIDED is not among them: a voided invoice or bill is
# still a document with a number and a history that reconciliation needs, so it stays "not deleted".
XERO_DELETED_STATUSES = frozenset({"DELETED", "ARCHIVED"})

PROCORE_OBJECT_TYPES = (
    "projects",
    "project_stages",
    "vendors",
    "cost_codes",
    "line_item_types",
    "budget_views",
    "budget_view_detail_rows",
    "work_order_contracts",
    "purchase_order_contracts",
    "commitment_line_items",
    "commitment_change_orders",
    "requisitions",
    "contract_payments",
    "prime_contracts",
    "prime_contract_line_items",
    "payment_applications",
    "direct_costs",
)

# Xero object type -> the field holding its identity.
XERO_KEY_FIELDS = {
    "contacts": "ContactID",
    "items": "ItemID",
    "accounts": "AccountID",
    "currencies": "Code",
    "tax_rates": "TaxType",
    "tracking_categories": "TrackingCategoryID",
    "purchase_orders": "PurchaseOrderID",
    "invoices": "InvoiceID",
    "payments": "PaymentID",
    "bank_transactions": "BankTransactionID",
}


@dataclass(frozen=True)
class ObjectType:
    """One staged object type: where it lives and which record fields give its key, time and deletion."""

    system: System
    name: str
    key_field: str
    updated_field: str

    @property
    def table_name(self) -> str:
        return f"{self.system}_{self.name}"

    def is_deleted(self, record: dict[str, Any]) -> bool:
        """Procore: ``deleted_at`` is set. Xero: ``Status`` is DELETED or ARCHIVED (VOIDED is not)."""
        if self.system is System.PROCORE:
            return record.get("deleted_at") is not None
        return str(record.get("Status", "")).upper() in XERO_DELETED_STATUSES


OBJECT_TYPES: dict[tuple[System, str], ObjectType] = {
    **{
        (System.PROCORE, name): ObjectType(System.PROCORE, name, "id", "updated_at")
        for name in PROCORE_OBJECT_TYPES
    },
    **{
        (System.XERO, name): ObjectType(System.XERO, name, key_field, "UpdatedDateUTC")
        for name, key_field in XERO_KEY_FIELDS.items()
    },
}


def get_object_type(system: str, name: str) -> ObjectType:
    try:
        return OBJECT_TYPES[System(system), name]
    except (KeyError, ValueError):
        known = sorted(f"{s}/{n}" for s, n in OBJECT_TYPES)
        raise KeyError(f"unknown staged object type {system}/{name}; known: {', '.join(known)}") from None
