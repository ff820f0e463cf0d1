"""One Xero organisation's in-memory books: collections of records in the API's JSON form, keyed by id."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.xero.totals import to_decimal

COLLECTIONS = (
    "Accounts",
    "Contacts",
    "Items",
    "TrackingCategories",
    "PurchaseOrders",
    "Invoices",
    "Payments",
    "BankTransactions",
)
# Numeric fields held as Decimal so arithmetic and rendering stay exact.
DECIMAL_FIELDS = frozenset(
    {
        "UnitAmount",
        "LineAmount",
        "TaxAmount",
        "SubTotal",
        "TotalTax",
        "Total",
        "AmountDue",
        "AmountPaid",
        "AmountCredited",
        "Amount",
        "BankAmount",
        "Quantity",
        "DiscountRate",
        "CurrencyRate",
        "UnitPrice",
        "TotalDiscount",
        "EffectiveRate",
        "DisplayTaxRate",
    }
)


def with_decimals(value: Any) -> Any:
    """A copy of a JSON record with its amount fields as Decimal."""
    if isinstance(value, dict):
        return {
            k: to_decimal(v) if k in DECIMAL_FIELDS and v is not None else with_decimals(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_decimals(v) for v in value]
    return value


@dataclass
class Tenant:
    """A tenant's records plus the settings the rules need (base currency, enabled currencies, tax rates)."""

    tenant_id: str
    name: str
    tier: str
    organisation: dict[str, Any]
    currencies: list[dict[str, Any]]
    tax_rates: dict[str, dict[str, Any]]
    fx_rates: dict[str, Decimal]
    records: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {c: {} for c in COLLECTIONS}
    )
    next_number: dict[str, int] = field(default_factory=dict)
    # Told of every write after the seed loaded: (collection, record, created?) — the webhooks.
    listeners: list[Callable[[str, dict[str, Any], bool], None]] = field(default_factory=list)

    @property
    def base_currency(self) -> str:
        return self.organisation["BaseCurrency"]

    def enabled_currencies(self) -> set[str]:
        return {c["Code"] for c in self.currencies}

    def tax_rate(self, tax_type: str | None) -> Decimal:
        rate = self.tax_rates.get(tax_type or "")
        return to_decimal(rate["EffectiveRate"]) if rate else Decimal(0)

    def put(self, collection: str, id_field: str, record: dict[str, Any]) -> None:
        created = record[id_field] not in self.records[collection]
        self.records[collection][record[id_field]] = record
        for listener in self.listeners:
            listener(collection, record, created)

    def find(self, collection: str, field_name: str, value: str) -> dict[str, Any] | None:
        """First record whose ``field_name`` equals ``value`` (ids compare case-insensitively)."""
        wanted = value.lower()
        for record in self.records[collection].values():
            if str(record.get(field_name, "")).lower() == wanted:
                return record
        return None

    def account_by_code(self, code: str) -> dict[str, Any] | None:
        return self.find("Accounts", "Code", code)

    def allocate_number(self, prefix: str) -> str:
        """Xero's automatic numbering (INV-0001, PO-0001)."""
        self.next_number[prefix] = self.next_number.get(prefix, 0) + 1
        return f"{prefix}-{self.next_number[prefix]:04d}"

    def snapshot(self) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, int]]:
        """Records are replaced, never mutated in place, so a shallow copy per collection suffices."""
        return {c: dict(rows) for c, rows in self.records.items()}, dict(self.next_number)

    def restore(self, snap: tuple[dict[str, dict[str, dict[str, Any]]], dict[str, int]]) -> None:
        self.records, self.next_number = snap[0], snap[1]

    def organisation_view(self) -> dict[str, Any]:
        return copy.deepcopy(self.organisation)


def new_id() -> str:
    """Ids for records created at run time (seeded records carry their own, derived from the seed's rng)."""
    return str(uuid.uuid4())
