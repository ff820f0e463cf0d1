"""Budget figures computed as Procore computes them: budget line items' cost columns and budget view rows.

A budget line item stores its original amount and approved budget changes; everything else (committed
costs from approved commitments and their approved change orders, direct costs, job-to-date costs) is
summed from the records on its cost code and cost type whenever it is answered.

A budget view's detail rows carry Procore's published fixed fields and then the view's own columns as extra
keys, named as the view names them (``VIEW_COLUMNS``, Procore's standard budget view). Both the fixed and the
view's amounts are strings, as the published detail row types its amounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.procore.builders import LOCKED_COMMITMENT_STATUSES
from sandbox.procore.store import Store

Key = tuple[int, int]  # (cost code id, line item type id)
ZERO = Decimal("0.00")
APPROVED_INVOICE_STATUSES = ("approved", "approved_as_noted")
COMMITMENTS = ("work_order_contracts", "purchase_order_contracts")


def _key(line: dict[str, Any]) -> Key:
    return line["cost_code"]["id"], line["line_item_type"]["id"]


@dataclass(frozen=True)
class Costs:
    """One project's cost columns per budget code."""

    committed: dict[Key, Decimal]
    invoiced: dict[Key, Decimal]
    direct: dict[Key, Decimal]

    @classmethod
    def of(cls, store: Store, project_id: int) -> Costs:
        return cls(_committed(store, project_id), _invoiced(store, project_id), _direct(store, project_id))


def _committed(store: Store, project_id: int) -> dict[Key, Decimal]:
    """Approved commitments' schedule of values plus their approved change orders' lines."""
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    approved = {
        c["id"]
        for collection in COMMITMENTS
        for c in store.in_project(collection, project_id)
        if c["status"] in LOCKED_COMMITMENT_STATUSES
    }
    for line in store.in_project("commitment_line_items", project_id):
        if line["holder"]["id"] in approved:
            totals[_key(line)] += line["amount"]
    orders = {
        o["id"]
        for o in store.in_project("commitment_change_orders", project_id)
        if o["status"] == "approved" and o["contract_id"] in approved
    }
    for line in store.in_project("change_order_line_items", project_id):
        if line["change_order_id"] in orders:
            totals[(line["cost_code_id"], line["line_item_type_id"])] += line["amount"]
    return totals


def _invoiced(store: Store, project_id: int) -> dict[Key, Decimal]:
    """Completed and stored this period on approved invoices; an item's cost type is its SOV line's."""
    totals: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    sov = {line["id"]: line for line in store.in_project("commitment_line_items", project_id)}
    for invoice in store.in_project("requisitions", project_id):
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
    for cost in store.in_project("direct_costs", project_id):
        if cost["status"] == "approved":
            for line in cost["line_items"]:
                totals[_key(line)] += line["amount"]
    return totals


def budget_line_item(store: Store, item: dict[str, Any], costs: Costs | None = None) -> dict[str, Any]:
    """A budget line item as answered (show, create, update): stored fields plus the computed columns."""
    project_id = store.project_of("budget_line_items", item)
    costs = costs or Costs.of(store, project_id or 0)
    key = _key(item)
    revised = item["original_budget_amount"] + item["approved_budget_changes"]
    committed, direct = costs.committed[key], costs.direct[key]
    projected_budget = revised + item["pending_budget_changes"]
    projected_costs = committed + direct
    return {
        **item,
        "revised_budget": revised,
        "projected_budget": projected_budget,
        "committed_costs": committed,
        "direct_costs": direct,
        "pending_cost_changes": ZERO,
        "projected_costs": projected_costs,
        "estimated_cost_at_completion": projected_costs,
        "projected_over_under": projected_budget - projected_costs,
    }


Column = Callable[[dict[str, Any], Costs], Decimal]
# Procore's standard budget view: each column's name as the view shows it, and how it is computed.
VIEW_COLUMNS: dict[str, Column] = {
    "Original Budget Amount": lambda b, _: b["original_budget_amount"],
    "Approved Budget Changes": lambda b, _: b["approved_budget_changes"],
    "Revised Budget": lambda b, _: b["original_budget_amount"] + b["approved_budget_changes"],
    "Pending Budget Changes": lambda b, _: b["pending_budget_changes"],
    "Committed Costs": lambda b, c: c.committed[_key(b)],
    "Direct Costs": lambda b, c: c.direct[_key(b)],
    "Job to Date Costs": lambda b, c: c.invoiced[_key(b)] + c.direct[_key(b)],
}


def detail_rows(store: Store, project_id: int) -> list[dict[str, Any]]:
    """One row per budget line item of the project: the published fixed fields, then ``VIEW_COLUMNS``."""
    costs = Costs.of(store, project_id)
    project = store.get("projects", project_id) or {}
    company = store.get("companies", store.company.get(("projects", project_id)) or 0) or {}
    codes = {c["id"]: c for c in store.in_project("cost_codes", project_id)}
    rows = []
    for item in sorted(store.in_project("budget_line_items", project_id), key=lambda b: b["id"]):
        code = codes.get(item["cost_code"]["id"]) or item["cost_code"]
        key = _key(item)
        rows.append(
            {
                "id": item["id"],
                "deletable": not (costs.committed[key] or costs.direct[key] or costs.invoiced[key]),
                "company_id": company.get("id"),
                "company": company.get("name"),
                "project_id": project_id,
                "project": project.get("name"),
                "wbs_code_id": None,
                "biller_id": project_id,
                "biller": project.get("name"),
                "biller_type": "Project",
                "root_cost_code_id": (code.get("parent") or {}).get("id"),
                "root_cost_code": None,
                "cost_code_id": code["id"],
                "cost_code": code["name"],
                "cost_code_origin_id": code.get("origin_id"),
                "category_id": item["line_item_type"]["id"],
                "category": item["line_item_type"]["name"],
                "original_budget_amount": _text(item["original_budget_amount"]),
                "budget_modifications": _text(item["approved_budget_changes"]),
                "currency_configuration": item.get("currency_configuration"),
                **{name: _text(column(item, costs)) for name, column in VIEW_COLUMNS.items()},
            }
        )
    return rows


def _text(amount: Decimal) -> str:
    return f"{amount:.2f}"
