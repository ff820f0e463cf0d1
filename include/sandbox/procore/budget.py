"""Budget view detail rows, from the budget, commitments, change orders, invoices, direct costs."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sandbox.procore.billing import BILLABLE_COMMITMENT_STATUSES
from sandbox.procore.store import Store

Key = tuple[int, int]  # (cost code id, line item type id)
ZERO = Decimal("0.00")
APPROVED_INVOICE_STATUSES = ("approved", "approved_as_noted")


def _key(line: dict[str, Any]) -> Key:
    return line["cost_code"]["id"], line["line_item_type"]["id"]


def _live(store: Store, collection: str, project_id: int) -> list[dict[str, Any]]:
    return [
        r for r in store.rows(collection) if r.get("project_id") == project_id and not r.get("deleted_at")
    ]


def _committed(store: Store, project_id: int) -> dict[Key, Decimal]:
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    approved = {
        c["id"]
        for collection in ("work_order_contracts", "purchase_order_contracts")
        for c in _live(store, collection, project_id)
        if c["status"] in BILLABLE_COMMITMENT_STATUSES
    }
    for line in _live(store, "commitment_line_items", project_id):
        if line["contract_id"] in approved:
            totals[_key(line)] += line["amount"]
    for order in _live(store, "commitment_change_orders", project_id):
        if order["status"] == "approved" and order["contract_id"] in approved:
            for line in order["line_items"]:
                totals[_key(line)] += line["amount"]
    return totals


def _invoiced(store: Store, project_id: int) -> dict[Key, Decimal]:
    """Completed and stored this period on approved invoices; an item's cost type is its SOV line's."""
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    sov = {line["id"]: line for line in _live(store, "commitment_line_items", project_id)}
    for invoice in _live(store, "requisitions", project_id):
        if invoice["status"] in APPROVED_INVOICE_STATUSES:
            for item in invoice["items"]:
                line = sov.get(item["line_item_id"])
                if line is not None:
                    totals[_key(line)] += (
                        item["total_completed_and_stored_to_date"]
                        - item["total_completed_and_stored_to_date_from_previous"]
                    )
    return totals


def _direct(store: Store, project_id: int) -> dict[Key, Decimal]:
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for cost in _live(store, "direct_costs", project_id):
        if cost["status"] == "approved":
            for line in cost["line_items"]:
                totals[_key(line)] += line["amount"]
    return totals


def detail_rows(store: Store, project_id: int) -> list[dict[str, Any]]:
    """One row per budget line item, with the source columns of Procore's standard budget view."""
    committed, invoiced, direct = (
        _committed(store, project_id),
        _invoiced(store, project_id),
        _direct(store, project_id),
    )
    rows = []
    for item in _live(store, "budget_line_items", project_id):
        key = _key(item)
        rows.append(
            {
                "id": item["id"],
                "budget_line_item_id": item["id"],
                "cost_code": item["cost_code"],
                "line_item_type": item["line_item_type"],
                "original_budget_amount": item["original_budget_amount"],
                "budget_modifications": item["budget_modifications"],
                "approved_cos": item["approved_cos"],
                "revised_budget": item["revised_budget"],
                "committed_costs": committed[key],
                "direct_costs": direct[key],
                "job_to_date_costs": invoiced[key] + direct[key],
            }
        )
    return rows
