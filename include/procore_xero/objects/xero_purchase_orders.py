"""Purchase orders raised in Xero -> Procore purchase order contracts (commitments)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.objects.model import Direction, SyncObject
from procore_xero.objects.rules import ABOVE_REMAINING_BUDGET, UNCODED_XERO_LINES, is_true

if TYPE_CHECKING:
    from procore_xero.objects.model import Built


def build(engine: Any, tenant: Any, spec: Any, known: Any) -> Built:
    """Compared with what Procore holds (commitments, their lines and change orders, the budget), and with
    the commitments the sync already made from them."""
    from procore_xero.mapping.budget_view import budget_figures
    from procore_xero.mapping.commitments import commitments_of
    from procore_xero.mapping.inbound.lines import document_lines
    from procore_xero.mapping.inbound.purchase_orders import transform_xero_purchase_orders
    from procore_xero.mapping.staged import read_staged
    from procore_xero.mapping.xero_staged import read_xero_staged
    from procore_xero.staging import Crosswalk, all_links
    from procore_xero.sync.inbound_steps import line_coder

    orders = read_xero_staged(engine, "purchase_orders", tenant.tenant_id)
    staged = {
        name: read_staged(engine, name, tenant.company_id)
        for name in (
            *COMMITMENT_TYPES,
            "commitment_line_items",
            "commitment_change_orders",
            "budget_view_detail_rows",
            "line_item_types",
        )
    }
    procore = {
        "commitments": commitments_of(staged),
        **{name: staged[name] for name in ("commitment_line_items", "commitment_change_orders")},
        "budget": budget_figures(staged["budget_view_detail_rows"], staged["line_item_types"]),
    }
    made = all_links(
        engine, tenant, Crosswalk("xero", "purchase_orders", "procore", "purchase_order_contracts")
    )
    lines = document_lines(orders, known, line_coder(engine, tenant, spec))
    return transform_xero_purchase_orders(orders, lines, procore, known, made, spec), {}


XERO_PURCHASE_ORDERS = SyncObject(
    name="xero_purchase_orders",
    direction=Direction.TO_PROCORE,
    dag="xero_to_procore",
    staged=(
        *COMMITMENT_TYPES,
        "commitment_line_items",
        "commitment_change_orders",
        "budget_view_detail_rows",
        "line_item_types",
        "cost_codes",
    ),
    staged_xero=("purchase_orders",),
    build=build,
    mapping="procore_xero.mapping.inbound.purchase_orders",
    target="purchase_order_contracts",
    natural_key={"origin_id": "source_id"},
    rules=(
        is_true(
            "project_mapped",
            "project_not_synced",
            "{label}: its lines are not all tracked to one synced project",
        ),
        UNCODED_XERO_LINES,
        is_true(
            "vendor_mapped",
            "unmapped_vendor",
            "{label}: the contact is not a Procore vendor yet (see the vendors step)",
        ),
        ABOVE_REMAINING_BUDGET,
    ),
    money_columns=("total", "remaining_budget"),
    optional_money=("remaining_budget",),
    approvable=frozenset({ABOVE_REMAINING_BUDGET.reason}),
)
