"""Approved commitments -> Xero purchase orders: one line per schedule-of-values line, then the lines of the
commitment's approved change orders appended below them (the PO is updated, never recreated).

``remaining_budget`` is what validation checks the PO total against: the project's revised budget on the
commitment's budget codes (cost code + cost type, Procore's budget line) minus what the other approved
commitments and their approved change orders already commit on those codes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from procore_xero.mapping.commitments import po_numbers
from procore_xero.mapping.frames import ZERO, decimal_sum, finish, id_text, item_codes, money, pluck
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.lines import line_items
from procore_xero.mapping.spec import MappingSpec

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
    budget_line_items: pd.DataFrame,
    projects: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One PO per approved commitment (``commitments`` from ``all_commitments``); draft and void ones stay."""
    statuses = spec.settings["source_statuses"]
    docs = commitments[commitments["status"].isin(statuses["commitments"])].reset_index(drop=True)
    frame = pd.DataFrame(index=docs.index)
    frame["commitment_id"] = frame["source_id"] = id_text(docs["id"])
    frame["commitment_type"] = docs["commitment_type"]
    frame["source_type"] = "procore/" + docs["commitment_type"]
    frame["procore_number"] = docs["number"].astype(object)
    frame["number"] = po_numbers(docs, projects, spec)
    frame["vendor_id"] = id_text(pluck(docs["vendor"], "id"))
    frame["contact_id"] = frame["vendor_id"].map(dict(known.contacts))
    frame["contact_mapped"] = frame["contact_id"].notna()
    frame["project_id"] = id_text(docs["project_id"])
    options = frame["project_id"].map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    frame["status"] = docs["status"].astype(object)
    frame["currency"] = pluck(docs["currency_configuration"], "currency_iso_code")
    frame["currency_enabled"] = frame["currency"].isin(set(known.currencies))
    frame["date"] = docs["created_at"].str.slice(0, 10)
    frame["title"] = docs["title"].astype(object)
    frame["ship_via"] = docs["ship_via"].astype(object)
    frame["line_amount_types"] = spec.tax["line_amount_types"]
    frame["xero_status"] = spec.xero_status("purchase_orders")
    frame["label"] = (
        "PO " + frame["number"].fillna("?") + " (" + pluck(docs["vendor"], "name").fillna("?") + ")"
    )

    approved_changes = change_orders[
        change_orders["status"].isin(statuses["change_orders"])
        & id_text(change_orders["contract_id"]).isin(set(frame["commitment_id"]))
    ].sort_values(["contract_id", "number"], kind="stable")
    frame["change_order_ids"] = frame["commitment_id"].map(
        id_text(approved_changes["id"]).groupby(id_text(approved_changes["contract_id"])).agg(list)
    )
    frame["change_order_ids"] = [ids if isinstance(ids, list) else [] for ids in frame["change_order_ids"]]

    lines = commitment_lines(commitment_line_items, approved_changes, frame["commitment_id"], spec)
    lines["option"] = lines["doc_id"].map(dict(zip(frame["commitment_id"], options, strict=True)))
    frame["total"] = (
        frame["commitment_id"].map(decimal_sum(lines["line_amount"], lines["doc_id"])).fillna(ZERO)
    )
    unmapped = ~lines["item_code"].isin(set(known.item_codes))
    frame["unmapped_lines"] = frame["commitment_id"].map(unmapped.groupby(lines["doc_id"]).sum()).fillna(0)
    frame["unmapped_lines"] = frame["unmapped_lines"].astype(int)
    frame["remaining_budget"] = remaining_budget(lines, budget_line_items, frame["commitment_id"])
    frame["line_items"] = line_items(lines, frame["commitment_id"], spec.settings["tracking_category"])
    return finish(
        frame,
        target_type="PurchaseOrders",
        source_type=None,
        natural_key={"PurchaseOrderNumber": "number"},
        fields=spec.fields("purchase_orders"),
        columns=COLUMNS,
    )


def commitment_lines(
    sov_lines: pd.DataFrame, change_orders: pd.DataFrame, commitment_ids: pd.Series, spec: MappingSpec
) -> pd.DataFrame:
    """The lines frame (see ``lines``, without ``option``) of the commitments: SOV lines in position
    order, then the change orders' lines in change order number order; ``budget_key`` per line."""
    wanted = set(commitment_ids)
    sov = sov_lines[id_text(sov_lines["contract_id"]).isin(wanted)].sort_values("position", kind="stable")
    changes = change_orders[["contract_id", "line_items"]].explode("line_items", ignore_index=True)
    changes = changes[changes["line_items"].notna()]
    both = [
        _lines(id_text(sov["contract_id"]), sov.to_dict("records"), 0),
        _lines(id_text(changes["contract_id"]), changes["line_items"].tolist(), CHANGE_ORDER_ORDER),
    ]
    lines = pd.concat([part for part in both if len(part)] or both[:1], ignore_index=True)
    lines["item_code"] = item_codes(
        lines["cost_code"], lines["cost_type"], spec.settings["item_code_separator"]
    )
    lines["account_code"] = spec.settings["accounts"]["expense"]
    lines["tax_type"] = spec.tax["purchase_tax_type"]
    return lines


def _lines(doc_ids: pd.Series, records: list[dict[str, Any]], first_order: int) -> pd.DataFrame:
    if not records:
        return pd.DataFrame(columns=LINE_COLUMNS)
    detail = pd.json_normalize(records)
    return pd.DataFrame(
        {
            "doc_id": doc_ids.to_numpy(),
            "order": range(first_order, first_order + len(records)),
            "description": detail["description"].astype(object),
            "quantity": money(detail["quantity"]),
            "unit_amount": money(detail["unit_cost"]),
            "line_amount": money(detail["amount"]),
            "cost_code": detail["cost_code.full_code"].astype(object),
            "cost_type": detail["line_item_type.code"].astype(object),
            "budget_key": id_text(detail["cost_code.id"]) + "/" + detail["line_item_type.code"],
        }
    )


def remaining_budget(
    lines: pd.DataFrame, budget_line_items: pd.DataFrame, commitment_ids: pd.Series
) -> pd.Series:
    """Per commitment: revised budget on its budget codes minus the other commitments' lines on them;
    None when none of its codes has a budget line. Budget codes are per project (cost code ids are)."""
    budget = pd.Series(
        money(budget_line_items["revised_budget"]).to_numpy(),
        index=id_text(pluck(budget_line_items["cost_code"], "id"))
        + "/"
        + pluck(budget_line_items["line_item_type"], "code"),
    )
    budget = budget.groupby(level=0).agg(lambda group: sum(group, ZERO))
    committed = decimal_sum(lines["line_amount"], lines["budget_key"])
    own = (
        lines.groupby(["doc_id", "budget_key"])["line_amount"]
        .agg(lambda group: sum(group, ZERO))
        .reset_index()
    )
    own["budget"] = own["budget_key"].map(budget)
    own["others"] = own["budget_key"].map(committed) - own["line_amount"]
    has_budget = own["budget"].notna().groupby(own["doc_id"]).any()
    remaining = decimal_sum(own["budget"].fillna(ZERO) - own["others"], own["doc_id"])[has_budget]
    values = commitment_ids.map(remaining).astype(object)
    return values.where(values.notna(), None)
