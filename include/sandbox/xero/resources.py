"""The Accounting API collections the emulator serves, and how each is read and keyed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Resource:
    collection: str  # path segment and response key, e.g. "Invoices"
    schema: str  # element schema in the spec, e.g. "Invoice"
    id_field: str
    paged: bool
    csv_filters: dict[str, str] = field(default_factory=dict)  # query parameter -> record field
    writable: bool = True


RESOURCES: dict[str, Resource] = {
    r.collection: r
    for r in (
        Resource("Contacts", "Contact", "ContactID", True, {"IDs": "ContactID"}),
        Resource("Items", "Item", "ItemID", False),
        Resource("TrackingCategories", "TrackingCategory", "TrackingCategoryID", False),
        Resource("PurchaseOrders", "PurchaseOrder", "PurchaseOrderID", True, {"Status": "Status"}),
        Resource(
            "Invoices",
            "Invoice",
            "InvoiceID",
            True,
            {
                "IDs": "InvoiceID",
                "Statuses": "Status",
                "ContactIDs": "Contact.ContactID",
                "InvoiceNumbers": "InvoiceNumber",
            },
        ),
        Resource("Payments", "Payment", "PaymentID", True),
        Resource("BankTransactions", "BankTransaction", "BankTransactionID", True),
        Resource("Accounts", "Account", "AccountID", False, writable=False),
    )
}
