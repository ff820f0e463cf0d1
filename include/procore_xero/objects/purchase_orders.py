"""Procore commitments (work order and purchase order contracts) -> Xero purchase orders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.rules import ABOVE_REMAINING_BUDGET, GONE_IN_XERO, VENDOR_NOT_MAPPED, mapping_rules

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames


def transform(frames: Frames, known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.budget_view import budget_figures
    from procore_xero.mapping.commitments import commitments_of
    from procore_xero.mapping.purchase_orders import transform_purchase_orders

    return transform_purchase_orders(
        commitments_of(frames),
        frames["commitment_line_items"],
        frames["commitment_change_orders"],
        budget_figures(frames["budget_view_detail_rows"], frames["line_item_types"]),
        frames["projects"],
        known,
        spec,
    )


PURCHASE_ORDERS = SyncObject(
    name="purchase_orders",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=(
        *COMMITMENT_TYPES,
        "commitment_line_items",
        "commitment_change_orders",
        "budget_view_detail_rows",
        "line_item_types",
        "projects",
    ),
    transform=transform,
    mapping="procore_xero.mapping.purchase_orders",
    target=XeroTarget("PurchaseOrders", "PurchaseOrders", "PurchaseOrderID", updatable=True),
    natural_key={"PurchaseOrderNumber": "number"},
    rules=(*mapping_rules("contact_mapped", VENDOR_NOT_MAPPED), ABOVE_REMAINING_BUDGET),
    money_columns=("total", "remaining_budget"),
    optional_money=("remaining_budget",),
    documents=True,
    approvable=frozenset({ABOVE_REMAINING_BUDGET.reason, *GONE_IN_XERO}),
    referenced_later=tuple(f"procore/{kind}" for kind in COMMITMENT_TYPES),
)
