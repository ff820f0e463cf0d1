"""What Xero documents point at on the Procore side, and what the sync itself made (never sent back)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KnownInProcore:
    """Built from the crosswalk (``procore_xero.to_procore.known``); the transforms only read it.

    ``project_by_option``: Xero TrackingOptionID -> Procore project id, for synced projects only.
    ``requisition_by_bill``: Xero InvoiceID of a bill the sync created -> Procore requisition id.
    ``vendor_by_contact``: Xero ContactID -> Procore vendor id, whichever direction linked them.
    ``made_by_sync``: Xero ids the Procore -> Xero sync created (contacts, POs, invoices): no loops.
    ``base_currency``: the organisation's base currency (job-cost figures are converted to it).
    """

    project_by_option: Mapping[str, str]
    requisition_by_bill: Mapping[str, str]
    vendor_by_contact: Mapping[str, str]
    made_by_sync: frozenset[str] = field(default_factory=frozenset)
    base_currency: str = "USD"

    def vendor_of(self, contact: Mapping[str, Any] | None) -> int | None:
        """The Procore vendor id (an integer, as Procore's API takes it) of a document's Xero contact."""
        vendor = self.vendor_by_contact.get(str((contact or {}).get("ContactID", "")).lower())
        return int(vendor) if vendor is not None else None
