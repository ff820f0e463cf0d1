"""Approved commitments -> Xero purchase orders: one line per schedule-of-values line, then one line per
approved change order below them (the PO is updated, never recreated).

Procore publishes no change order lines, only each order's ``grand_total``: a change order's line carries that
total, described by its number and title, on the project's tracking option and the expense account but with
no item (its cost code is not published).

``remaining_budget`` is what validation checks the PO total against: on the commitment's budget codes (cost
code + cost type, Procore's budget line), the budget view's revised budget minus its committed costs, plus
what of those committed costs is this commitment itself (its lines and approved change orders).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from procore_xero.mapping.commitments import po_numbers
from procore_xero.mapping.frames import (
    decimal_sum,
    finish,
    id_text,
    item_codes,
    money,
    or_zero,
    pluck,
    text_or_none,
)
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.lines import line_items
from procore_xero.mapping.spec import MappingSpec
from procore_xero.object_column import object_column
from procore_xero.objects.purchase_orders import PURCHASE_ORDERS

COLUMNS = (
    "commitment_id",
    "commitment_type",
    "number",
    "procore_number",
    "vendor_id",
    "contact_mapped",
    "project_id",
    "project_option_mapped",
    "unmapped_lines",
    "status",
    "total",
    "remaining_budget",
    "currency",
    "currency_enabled",
    "change_order_ids",
)
CHANGE_ORDER_ORDER = 1_000_000  # change order lines come after every SOV line
LINE_COLUMNS = (
    "doc_id",
    "order",
    "description",
    "quantity",
    "unit_amount",
    "line_amount",
    "cost_code",
    "cost_type",
    "budget_key",
)


def transform_purchase_orders(
    commitments: pd.DataFrame,
    commitment_line_items: pd.DataFrame,
    change_orders: pd.DataFrame,
    budget: pd.DataFrame,
    projects: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One PO per approved commitment (``commitments`` from ``all_commitments``); draft and void ones stay.
    ``budget``: ``budget_view.budget_figures`` of the staged detail rows."""
    statuses = spec.settings.source_statuses
    docs = commitments[commitments["status"].isin(statuses.commitments)].reset_index(drop=True)
    frame = pd.DataFrame(index=docs.index)
    frame["commitment_id"] = frame["source_id"] = id_text(docs["id"])
    frame["commitment_type"] = docs["commitment_type"]
    frame["source_type"] = "procore/" + docs["commitment_type"]
    frame["procore_number"] = docs["number"].astype(object)
    frame["number"] = po_numbers(docs, projects, spec)
    frame["vendor_id"] = id_text(pluck(docs["vendor"], "id"))
    frame["contact_id"] = frame["vendor_id"].map(dict(known.contacts))
    frame["contact_mapped"] = frame["contact_id"].notna()
    frame["project_id"] = id_text(pluck(docs["project"], "id"))
    options = frame["project_id"].map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    frame["status"] = docs["status"].astype(object)
    frame["currency"] = pluck(docs["currency_configuration"], "currency_iso_code")
    frame["currency_enabled"] = frame["currency"].isin(set(known.currencies))
    frame["date"] = docs["created_at"].str.slice(0, 10)
    frame["title"] = docs["title"].astype(object)
    frame["ship_via"] = text_or_none(docs.get("ship_via", pd.Series(None, index=docs.index, dtype=object)))
    frame["line_amount_types"] = spec.settings.tax.line_amount_types
    frame["xero_status"] = spec.xero_status("purchase_orders")
    frame["label"] = (
        "PO " + frame["number"].fillna("?") + " (" + pluck(docs["vendor"], "company").fillna("?") + ")"
    )

    approved_changes = change_orders[
        change_orders["status"].isin(statuses.change_orders)
        & id_text(change_orders["contract_id"]).isin(set(frame["commitment_id"]))
    ].sort_values(["contract_id", "number"], kind="stable")
    frame["change_order_ids"] = frame["commitment_id"].map(
        id_text(approved_changes["id"]).groupby(id_text(approved_changes["contract_id"])).agg(list)
    )
    frame["change_order_ids"] = [ids if isinstance(ids, list) else [] for ids in frame["change_order_ids"]]

    lines = commitment_lines(commitment_line_items, approved_changes, frame["commitment_id"], spec)
    lines["option"] = lines["doc_id"].map(dict(zip(frame["commitment_id"], options, strict=True)))
    frame["total"] = (
        frame["commitment_id"].map(decimal_sum(lines["line_amount"], lines["doc_id"])).map(or_zero)
    )
    unmapped = lines["item_code"].notna() & ~lines["item_code"].isin(set(known.item_codes))
    frame["unmapped_lines"] = frame["commitment_id"].map(unmapped.groupby(lines["doc_id"]).sum()).fillna(0)
    frame["unmapped_lines"] = frame["unmapped_lines"].astype(int)
    own = frame["commitment_id"].map(decimal_sum(lines["line_amount"], lines["doc_id"])).map(or_zero)
    frame["remaining_budget"] = remaining_budget(lines, budget, frame["commitment_id"], own)
    frame["line_items"] = object_column(
        frame, line_items(lines, frame["commitment_id"], spec.settings.tracking_category)
    )
    return finish(
        frame,
        target_type=PURCHASE_ORDERS.target_type,
        source_type=None,
        natural_key=PURCHASE_ORDERS.natural_key,
        fields=spec.fields("purchase_orders"),
        columns=COLUMNS,
    )


def commitment_lines(
    sov_lines: pd.DataFrame, change_orders: pd.DataFrame, commitment_ids: pd.Series, spec: MappingSpec
) -> pd.DataFrame:
    """The lines frame (see ``lines``, without ``option``) of the commitments: SOV lines in position
    order, then one line per change order in number order; ``budget_key`` per SOV line (None for a change
    order's, whose cost code Procore does not publish)."""
    wanted = set(commitment_ids)
    sov = sov_lines.iloc[0:0]
    if len(sov_lines):
        sov = sov_lines[id_text(pluck(sov_lines["holder"], "id")).isin(wanted)]
        sov = sov.sort_values("position", kind="stable")
    changes = (
        change_orders[id_text(change_orders["contract_id"]).isin(wanted)]
        if len(change_orders)
        else change_orders
    )
    both = [_sov_lines(sov), _change_order_lines(changes)]
    lines = pd.concat([part for part in both if len(part)] or both[:1], ignore_index=True)
    coded = lines["cost_code"].notna()
    lines["item_code"] = (
        item_codes(lines["cost_code"], lines["cost_type"], spec.settings.item_code_separator)
        .astype(object)
        .where(coded, None)
    )
    lines["account_code"] = spec.settings.accounts.expense
    lines["tax_type"] = spec.settings.tax.purchase_tax_type
    return lines


def _sov_lines(sov: pd.DataFrame) -> pd.DataFrame:
    if sov.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    detail = pd.json_normalize(sov.to_dict("records", into=dict))
    return pd.DataFrame(
        {
            "doc_id": id_text(detail["holder.id"]).to_numpy(),
            "order": range(len(detail)),
            "description": detail["description"].astype(object),
            "quantity": money(detail["quantity"]),
            "unit_amount": money(detail["unit_cost"]),
            "line_amount": money(detail["amount"]),
            "cost_code": detail["cost_code.full_code"].astype(object),
            "cost_type": detail["line_item_type.code"].astype(object),
            "budget_key": id_text(detail["cost_code.id"]) + "/" + detail["line_item_type.code"],
        }
    )


def _change_order_lines(changes: pd.DataFrame) -> pd.DataFrame:
    if changes.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    ordered = changes.sort_values(["contract_id", "number"], kind="stable")
    total = money(ordered["grand_total"]).to_numpy()
    return pd.DataFrame(
        {
            "doc_id": id_text(ordered["contract_id"]).to_numpy(),
            "order": range(CHANGE_ORDER_ORDER, CHANGE_ORDER_ORDER + len(ordered)),
            "description": [
                f"Change order {number}: {title}" if title else f"Change order {number}"
                for number, title in zip(
                    ordered["number"], ordered.get("title", [None] * len(ordered)), strict=True
                )
            ],
            "quantity": Decimal("1.00"),
            "unit_amount": total,
            "line_amount": total,
            "cost_code": None,
            "cost_type": None,
            "budget_key": None,
        }
    )


def remaining_budget(
    lines: pd.DataFrame, budget: pd.DataFrame, doc_ids: pd.Series, counted: pd.Series
) -> pd.Series:
    """Per document: on the budget codes of its lines, revised budget minus Procore's committed costs, plus
    ``counted`` (aligned with ``doc_ids``: what of those committed costs is the document itself); None when
    none of its codes has a budget line. Budget codes are per project (cost code ids are)."""
    left = (
        decimal_sum(budget["revised_budget"], budget["budget_key"])
        - decimal_sum(budget["committed"], budget["budget_key"])
        if len(budget)
        else pd.Series(dtype=object)
    )
    keys = lines[lines["budget_key"].notna()][["doc_id", "budget_key"]].drop_duplicates()
    keys = keys[keys["budget_key"].isin(set(left.index))]
    available = (
        decimal_sum(keys["budget_key"].map(left), keys["doc_id"]) if len(keys) else pd.Series(dtype=object)
    )
    values = [
        available[doc] + extra if doc in available.index else None
        for doc, extra in zip(doc_ids, counted, strict=True)
    ]
    return pd.Series(values, index=doc_ids.index, dtype=object)
