"""What this run knows about the Xero side: plain dicts and sets, passed in so transforms stay pure."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnownInXero:
    """``contacts``: Procore vendor id -> Xero ContactID; ``project_options``: Procore project id ->
    tracking option name; ``item_codes``: codes in Xero or being created this run; ``currencies``: codes
    enabled in the organisation; ``purchase_orders``: Procore commitment id -> PurchaseOrderID."""

    contacts: Mapping[str, str] = field(default_factory=dict)
    project_options: Mapping[str, str] = field(default_factory=dict)
    item_codes: Set[str] = frozenset()
    currencies: Set[str] = frozenset()
    purchase_orders: Mapping[str, str] = field(default_factory=dict)
