"""Findings: the rows the drift rules fail plus the records waiting in the queue, ranked by money at stake.

Money at stake is in the project's currency and, for ranking and totals across projects, in the base
currency at Xero's latest rate. Findings about the same money share an ``entity`` (a budget code, a
commitment's billing, a PO, a queued record): the headline counts each entity once, at its largest finding,
so a held invoice and its commitment's difference are not added twice; a Procore commitment held for the
budget check is not ``counted`` (its overrun is in the "committed over budget" findings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.reports.money import ZERO, dec, percent_of, show, to_base
from procore_xero.reports.rules import RULES, WAITING

HELD_FOR_BUDGET = "po_above_remaining_budget"

COLUMNS = [
    "rank",
    "new",
    "rule",
    "project_id",
    "project",
    "subject",
    "description",
    "currency",
    "baseline",
    "amount",
    "difference",
    "percent",
    "at_stake",
    "base_currency",
    "at_stake_base",
    "key",
    "entity",
    "counted",
]
# A Procore commitment held for the budget check is money the "committed over budget" findings already show.
ALREADY_IN_BUDGET = frozenset({"work_order_contracts", "purchase_order_contracts"})
ORDER = {reason: index for index, reason in enumerate([*(r.reason for r in RULES), WAITING])}
Row = Mapping[str, Any]


def _budget(rule: str, row: Row) -> dict[str, Any]:
    actual = rule == "over_budget"
    figure, what = ("xero_actual", "Xero actual cost") if actual else ("committed", "Committed")
    over, revised = row["actual_over_budget" if actual else "committed_over_budget"], row["revised_budget"]
    pct = percent_of(over, revised)
    return {
        "project_id": row["project_id"],
        "subject": f"{row['cost_code']}-{row['cost_type']} {row['description']}".strip(),
        "description": f"{what} {show(row[figure])} is {show(over)} over the revised budget "
        f"{show(revised)}" + (f" ({pct}%)" if pct is not None else " (no budget)"),
        "currency": row["currency"],
        "baseline": revised,
        "amount": row[figure],
        "difference": over,
        "percent": pct,
        "at_stake": over,
        "key": f"{rule}:{row['project_id']}:{row['cost_code_id']}:{row['line_item_type_id']}",
        "entity": f"budget:{row['project_id']}:{row['cost_code_id']}:{row['line_item_type_id']}",
    }


def _billing(rule: str, row: Row) -> dict[str, Any]:
    missing = int(row["not_in_xero"])
    note = (
        f"; {missing} invoice(s) for {show(row['not_in_xero_amount'])} have no bill in Xero"
        if missing
        else ""
    )
    return {
        "project_id": row["project_id"],
        "subject": f"{row['number']} {row['vendor']}".strip(),
        "description": f"Procore invoiced {show(row['procore_invoiced'])} on {row['procore_invoices']} "
        f"invoice(s); Xero billed {show(row['xero_billed'])} on {row['xero_bills']} bill(s){note}",
        "currency": row["currency"],
        "baseline": row["procore_invoiced"],
        "amount": row["xero_billed"],
        "difference": row["xero_billed"] - row["procore_invoiced"],
        "percent": None,
        "at_stake": abs(row["difference"]),
        "key": f"{rule}:{row['commitment_id']}",
        "entity": f"commitment:{row['commitment_id']}",
    }


def _document(rule: str, row: Row) -> dict[str, Any]:
    side = "Xero after the sync wrote it" if rule == "edited_in_xero" else "Procore after the sync sent it"
    bill = row["kind"] == "bill"
    return {
        "project_id": row["project_id"],
        "subject": row["label"],
        "description": f"{row['kind'].capitalize()} {row['xero_number']} was changed in {side} "
        f"(Xero status {row['xero_status']}): Procore {show(row['procore_amount'])}, "
        f"Xero {show(row['xero_amount'])}",
        "currency": None,
        "baseline": row["procore_amount"],
        "amount": row["xero_amount"],
        "difference": row["xero_amount"] - row["procore_amount"],
        "percent": None,
        "at_stake": abs(row["difference"]),
        "key": f"{rule}:{row['source_type']}:{row['source_id']}",
        "entity": f"commitment:{row['commitment_id']}" if bill else f"po:{row['source_id']}",
    }


def _waiting(rule: str, row: Row) -> dict[str, Any]:
    record = f"{row['source_system']}:{row['object_type']}:{row['source_id']}"
    return {
        "project_id": row["project_id"],
        "subject": row["label"],
        "description": f"[{row['reason_code']}] {row['message']}",
        "currency": None,
        "baseline": None,
        "amount": row["amount"],
        "difference": None,
        "percent": None,
        "at_stake": row["amount"],
        "key": f"{rule}:{record}:{row['reason_code']}",
        "entity": f"commitment:{row['commitment_id']}" if row["commitment_id"] else f"record:{record}",
        "counted": not (row["object_type"] in ALREADY_IN_BUDGET and row["reason_code"] == HELD_FOR_BUDGET),
    }


BUILDERS: dict[str, Callable[[str, Row], dict[str, Any]]] = {
    "budget": _budget,
    "commitments": _billing,
    "documents": _document,
}


def collect(
    frames: Mapping[str, pd.DataFrame],
    failing: Mapping[str, list[int]],
    waiting: pd.DataFrame,
    projects: pd.DataFrame,
    rates: Mapping[str, Decimal],
    base_currency: str,
    previous: set[str] | None,
) -> pd.DataFrame:
    """The ranked findings frame (``COLUMNS``); ``previous``: last report's keys (None: no earlier report,
    so nothing is marked new)."""
    rows = []
    for rule in RULES:
        frame = frames[rule.frame]
        for position in failing.get(rule.reason, []):
            rows.append({"rule": rule.reason, **BUILDERS[rule.frame](rule.reason, frame.iloc[position])})
    rows += [{"rule": WAITING, **_waiting(WAITING, row)} for row in waiting.to_dict("records")]
    by_project = projects.set_index("project_id")
    for row in rows:
        project = row["project_id"]
        known = project in by_project.index
        row["project"] = by_project.at[project, "label"] if known else ""
        row["currency"] = row["currency"] or (by_project.at[project, "currency"] if known else base_currency)
        row["at_stake"] = dec(row["at_stake"])
        row["at_stake_base"] = to_base(row["at_stake"], rates.get(row["currency"], Decimal(1)))
        row["base_currency"] = base_currency
        row["new"] = previous is not None and row["key"] not in previous
        row.setdefault("counted", True)
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"]).astype(object)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS).astype(object)
    frame["order"] = frame["rule"].map(ORDER)
    frame["sort_stake"] = frame["at_stake_base"].map(lambda amount: -amount)
    frame = frame.sort_values(["sort_stake", "order", "key"], kind="stable").reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    return frame[COLUMNS].astype(object)


def money_at_stake(findings: pd.DataFrame) -> Decimal:
    """Base-currency total counting each entity once, at its largest finding (``counted`` ones only)."""
    counted = findings[findings["counted"].astype(bool)] if len(findings) else findings
    if counted.empty:
        return ZERO
    return sum(counted.groupby("entity")["at_stake_base"].agg(max), ZERO)
