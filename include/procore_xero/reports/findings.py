"""Findings: the rows the drift rules fail plus the records waiting in the queue, ranked by money at stake.

Money at stake is in the project's currency and, for ranking and totals across projects, in the base
currency at Xero's latest rate. Two totals, never added together: drift at stake (what Procore and Xero
disagree on) and held (what the exception queue holds back). Drift findings about the same money share an
``entity`` (a budget code, a commitment's billing, a PO): the drift total counts each entity once, at its
largest finding, so an edited bill and its commitment's billing difference are not added twice. Each
finding names its record in Procore and Xero (``procore_link``, ``xero_link``) when the hosts are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.reports.links import Linker
from procore_xero.reports.money import ZERO, dec, percent_of, show, to_base
from procore_xero.reports.rules import RULES, WAITING

PLAIN_AMOUNT = re.compile(r"(?<![\w.,])-?\d+\.\d{2}(?![\w.,]*\d)")  # "5000000.00" as the sync logs it

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
    "procore_link",
    "xero_link",
]
ORDER = {reason: index for index, reason in enumerate([*(r.reason for r in RULES), WAITING])}
Row = Mapping[str, Any] | pd.Series  # a failing frame row, or a waiting record


def labelled_amounts(text: str, currency: str) -> str:
    """Plain amounts in text the sync wrote ("total 5000000.00") shown as money ("USD 5,000,000.00")."""
    return PLAIN_AMOUNT.sub(lambda found: show(Decimal(found.group()), currency), text)


def _budget(rule: str, row: Row, currency: str) -> dict[str, Any]:
    actual = rule == "over_budget"
    figure, what = ("xero_actual", "Xero actual cost") if actual else ("committed", "Committed")
    over, revised = row["actual_over_budget" if actual else "committed_over_budget"], row["revised_budget"]
    pct = percent_of(over, revised)
    return {
        "project_id": row["project_id"],
        "subject": f"{row['cost_code']}-{row['cost_type']} {row['description']}".strip(),
        "description": f"{what} {show(row[figure], currency)} is {show(over, currency)} over the revised "
        f"budget {show(revised, currency)}" + (f" ({pct}%)" if pct is not None else " (no budget)"),
        "currency": row["currency"],
        "baseline": revised,
        "amount": row[figure],
        "difference": over,
        "percent": pct,
        "at_stake": over,
        "key": f"{rule}:{row['project_id']}:{row['cost_code_id']}:{row['line_item_type_id']}",
        "entity": f"budget:{row['project_id']}:{row['cost_code_id']}:{row['line_item_type_id']}",
        "procore_ref": ("budget", row["project_id"]),
        "xero_ref": None,
    }


def _billing(rule: str, row: Row, currency: str) -> dict[str, Any]:
    missing = int(row["not_in_xero"])
    note = (
        f"; {missing} invoice(s) for {show(row['not_in_xero_amount'], currency)} have no bill in Xero"
        if missing
        else ""
    )
    return {
        "project_id": row["project_id"],
        "subject": f"{row['number']} {row['vendor']}".strip(),
        "description": f"Procore invoiced {show(row['procore_invoiced'], currency)} on "
        f"{row['procore_invoices']} invoice(s); Xero billed {show(row['xero_billed'], currency)} on "
        f"{row['xero_bills']} bill(s){note}",
        "currency": row["currency"],
        "baseline": row["procore_invoiced"],
        "amount": row["xero_billed"],
        "difference": row["xero_billed"] - row["procore_invoiced"],
        "percent": None,
        "at_stake": abs(row["difference"]),
        "key": f"{rule}:{row['commitment_id']}",
        "entity": f"commitment:{row['commitment_id']}",
        "procore_ref": ("commitment", row["commitment_id"]),
        "xero_ref": None,
    }


def _document(rule: str, row: Row, currency: str) -> dict[str, Any]:
    side = "Xero after the sync wrote it" if rule == "edited_in_xero" else "Procore after the sync sent it"
    bill = row["kind"] == "bill"
    return {
        "project_id": row["project_id"],
        "subject": row["label"],
        "description": f"{row['kind'].capitalize()} {row['xero_number']} was changed in {side} "
        f"(Xero status {row['xero_status']}): Procore {show(row['procore_amount'], currency)}, "
        f"Xero {show(row['xero_amount'], currency)}",
        "currency": currency,
        "baseline": row["procore_amount"],
        "amount": row["xero_amount"],
        "difference": row["xero_amount"] - row["procore_amount"],
        "percent": None,
        "at_stake": abs(row["difference"]),
        "key": f"{rule}:{row['source_type']}:{row['source_id']}",
        "entity": f"commitment:{row['commitment_id']}" if bill else f"po:{row['source_id']}",
        "procore_ref": (row["source_type"], row["source_id"]),
        "xero_ref": ("invoices" if bill else "purchase_orders", row["xero_id"]) if row["xero_id"] else None,
    }


def _waiting(rule: str, row: Row, currency: str) -> dict[str, Any]:
    record = f"{row['source_system']}:{row['object_type']}:{row['source_id']}"
    own = (row["object_type"], row["source_id"])
    return {
        "project_id": row["project_id"],
        "subject": labelled_amounts(row["label"] or "", currency),
        "description": f"[{row['reason_code']}] {labelled_amounts(row['message'] or '', currency)}",
        "currency": currency,
        "baseline": None,
        "amount": row["amount"],
        "difference": None,
        "percent": None,
        "at_stake": row["amount"],
        "key": f"{rule}:{record}:{row['reason_code']}",
        "entity": f"record:{record}",
        "procore_ref": own if row["source_system"] == "procore" else None,
        "xero_ref": own if row["source_system"] == "xero" else None,
    }


BUILDERS: dict[str, Callable[[str, Row, str], dict[str, Any]]] = {
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
    linker: Linker,
) -> pd.DataFrame:
    """The ranked findings frame (``COLUMNS``); ``previous``: last report's keys (None: no earlier report,
    so nothing is marked new)."""
    by_project = projects.set_index("project_id")

    def currency_of(project: str | None) -> str:
        known = project is not None and project in by_project.index
        return str(by_project.at[project, "currency"]) if known else base_currency

    rows = []
    for rule in RULES:
        frame = frames[rule.frame]
        for position in failing.get(rule.reason, []):
            failed = frame.iloc[position]
            rows.append(
                {
                    "rule": rule.reason,
                    **BUILDERS[rule.frame](rule.reason, failed, currency_of(failed["project_id"])),
                }
            )
    rows += [
        {"rule": WAITING, **_waiting(WAITING, row, currency_of(row["project_id"]))}
        for row in waiting.to_dict("records", into=dict)
    ]
    for row in rows:
        project = row["project_id"]
        row["project"] = by_project.at[project, "label"] if project in by_project.index else ""
        row["at_stake"] = dec(row["at_stake"])
        row["at_stake_base"] = to_base(row["at_stake"], rates.get(row["currency"], Decimal(1)))
        row["base_currency"] = base_currency
        row["new"] = previous is not None and row["key"] not in previous
        row["procore_link"] = linker.procore(project, row.pop("procore_ref"))
        row["xero_link"] = linker.xero(row.pop("xero_ref"))
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"]).astype(object)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS).astype(object)
    frame["order"] = frame["rule"].map(ORDER)
    frame["sort_stake"] = frame["at_stake_base"].map(lambda amount: -amount)
    frame = frame.sort_values(["sort_stake", "order", "key"], kind="stable").reset_index(drop=True)
    frame["rank"] = range(1, len(frame) + 1)
    frame = frame[COLUMNS].astype(object)
    for column in ("procore_link", "xero_link"):  # pandas' str dtype would make a missing link NaN
        links = [link if isinstance(link, str) else None for link in frame[column]]
        frame[column] = pd.Series(links, index=frame.index, dtype=object)
    return frame


def drift_only(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings of the drift rules (not the records waiting in the queue)."""
    return findings[findings["rule"] != WAITING] if len(findings) else findings


def queued_only(findings: pd.DataFrame) -> pd.DataFrame:
    """The records waiting in the exception queue."""
    return findings[findings["rule"] == WAITING] if len(findings) else findings


def money_at_stake(findings: pd.DataFrame) -> Decimal:
    """Drift at stake in the base currency: drift findings only, each entity once at its largest finding."""
    drift = drift_only(findings)
    if drift.empty:
        return ZERO
    return sum(drift.groupby("entity")["at_stake_base"].agg(max), ZERO)


def money_held(findings: pd.DataFrame) -> Decimal:
    """What the queued records hold back, in the base currency (each record once)."""
    return sum(queued_only(findings)["at_stake_base"], ZERO) if len(findings) else ZERO
