"""Purchase orders raised in Xero (not ones the sync created) -> Procore purchase order contracts.

Off by default. Each AUTHORISED / BILLED Xero PO with lines tracked to a synced project becomes a
commitment with one schedule-of-values line per Xero line, coded through ``LineCoder`` (item code or the
``cost_code_lookup`` table). POs with no line on a synced project are overhead and stay out. Lines split
over several projects or partly untracked, unmapped lines, or a contact that is no Procore vendor hold the
PO; so does a total above the remaining budget on its budget codes (revised budget minus what the
project's approved commitments and change orders commit there, the PO's own commitment excepted), which
the controller may approve.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.mapping.frames import ZERO, finish
from procore_xero.mapping.inbound.direct_costs import procore_line
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import xero_day
from procore_xero.mapping.purchase_orders import commitment_lines, remaining_budget
from procore_xero.mapping.spec import MappingSpec
from procore_xero.objects.xero_purchase_orders import XERO_PURCHASE_ORDERS

COLUMNS = (
    "action",
    "project_id",
    "project_mapped",
    "vendor_id",
    "vendor_mapped",
    "unmapped_lines",
    "total",
    "remaining_budget",
)
FINAL_STATUSES = frozenset({"AUTHORISED", "BILLED"})


def transform_xero_purchase_orders(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    procore: Mapping[str, pd.DataFrame],
    known: KnownInProcore,
    commitment_of_order: Mapping[str, str],
    spec: MappingSpec,
) -> pd.DataFrame:
    """``lines``: ``document_lines`` of ``orders``; ``procore``: staged ``commitments`` (``all_commitments``),
    ``commitment_line_items``, ``commitment_change_orders``, ``budget`` (``budget_view.budget_figures``);
    ``commitment_of_order``: Xero PO id -> the commitment an earlier run made of it."""
    by_doc = dict(tuple(lines.groupby("doc_id"))) if len(lines) else {}
    committed = _committed_lines(procore, spec)
    rows = []
    for order in orders.to_dict("records", into=dict):
        order_id = str(order["PurchaseOrderID"]).lower()
        if order_id in known.made_by_sync or order.get("Status") not in FINAL_STATUSES:
            continue
        own = by_doc.get(order_id, lines.iloc[0:0])
        if own.empty or own["project_id"].isna().all():
            continue  # overhead, not a job: nothing for Procore
        earlier = committed[committed["doc_id"] == commitment_of_order.get(order_id)]
        counted = sum(earlier["line_amount"], ZERO)  # in Procore's committed costs already
        rows.append(_row(order, order_id, own, counted, procore["budget"], known))
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS), dtype=object)
    return finish(
        frame,
        target_type=XERO_PURCHASE_ORDERS.target_type,
        source_type="xero/purchase_orders",
        natural_key=XERO_PURCHASE_ORDERS.natural_key,
        fields=spec.fields("xero_purchase_orders"),
        columns=COLUMNS,
    )


_ROW_COLUMNS = ("source_id", "label", *COLUMNS, "number", "title", "date", "line_items")


def _committed_lines(procore: Mapping[str, pd.DataFrame], spec: MappingSpec) -> pd.DataFrame:
    """Every approved commitment's SOV and approved change-order lines (what Procore counts committed)."""
    statuses = spec.settings.source_statuses
    commitments = procore["commitments"]
    if commitments.empty:
        return pd.DataFrame(columns=["doc_id", "budget_key", "line_amount"])
    approved = commitments[commitments["status"].isin(statuses.commitments)]
    changes = procore["commitment_change_orders"]
    if len(changes):
        changes = changes[changes["status"].isin(statuses.change_orders)]
    ids = approved["id"].astype(str)
    return commitment_lines(procore["commitment_line_items"], changes, ids, spec)[
        ["doc_id", "budget_key", "line_amount"]
    ]


def _row(
    order: Mapping[str, Any],
    order_id: str,
    lines: pd.DataFrame,
    counted: Decimal,
    budget: pd.DataFrame,
    known: KnownInProcore,
) -> dict[str, Any]:
    projects = set(lines["project_id"].dropna()) if len(lines) else set()
    tracked_to_one = len(projects) == 1 and lines["project_id"].notna().all()
    project_id = next(iter(projects)) if tracked_to_one else None
    contact = order.get("Contact") or {}
    vendor_id = known.vendor_of(contact)
    mapped = lines[lines["mapped"].astype(bool)] if len(lines) else lines
    total = sum(lines["line_amount"], ZERO) if len(lines) else ZERO
    number = order.get("PurchaseOrderNumber") or order_id
    return {
        "source_id": order_id,
        "label": f"Xero PO {number} ({contact.get('Name') or 'no contact'}, {total})",
        "action": "upsert",
        "project_id": project_id,
        "project_mapped": tracked_to_one,
        "vendor_id": vendor_id,
        "vendor_mapped": vendor_id is not None,
        "unmapped_lines": len(lines) - len(mapped),
        "total": total,
        "remaining_budget": _remaining(order_id, mapped, counted, budget),
        "number": number,
        "title": (order.get("Reference") or "").strip() or f"Purchase order {number} raised in Xero",
        "date": xero_day(order.get("Date")),
        "line_items": [procore_line(line) for line in mapped.to_dict("records", into=dict)],
    }


def _remaining(order_id: str, lines: pd.DataFrame, counted: Decimal, budget: pd.DataFrame) -> Decimal | None:
    """The order's budget codes' revised budget minus committed costs, plus the commitment an earlier run
    made of this order (Procore counts it; the order replaces it)."""
    if lines.empty or budget.empty:
        return None
    own = pd.DataFrame(
        {
            "doc_id": order_id,
            "budget_key": lines["cost_code_id"].astype(str) + "/" + lines["cost_type"].astype(str),
            "line_amount": lines["line_amount"],
        }
    )
    return remaining_budget(own, budget, pd.Series([order_id]), pd.Series([counted])).iloc[0]
