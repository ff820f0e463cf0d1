"""The CSV attachments: every finding, and every budget row (so project totals can be re-added by hand).

Spreadsheet formula injection is neutralised: a text cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return) gets a leading apostrophe, because vendor names, descriptions and labels come from people.
Amounts are written as plain numbers (``-1234.56``): a number cannot carry a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from procore_xero.reports import budget
from procore_xero.reports.money import plain
from procore_xero.reports.report import DriftReport
from procore_xero.reports.rules import TITLES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FINDING_COLUMNS = (
    "rank",
    "new",
    "rule",
    "rule_title",
    "project",
    "subject",
    "description",
    "currency",
    "baseline",
    "amount",
    "difference",
    "percent_of_budget",
    "at_stake",
    "base_currency",
    "at_stake_base",
    "key",
    "entity",
    "procore_link",
    "xero_link",
)
BUDGET_COLUMNS = ("project", *budget.COLUMNS[len(budget.KEY) :])  # the budget rows named, without ids


def neutralise(value: Any) -> str:
    """One cell's text: amounts plain, text with a formula-like start prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal | int):
        return plain(value) if isinstance(value, Decimal) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def findings_csv(report: DriftReport) -> str:
    rows = (
        [
            row["rank"],
            bool(row["new"]),
            row["rule"],
            TITLES[row["rule"]],
            row["project"],
            row["subject"],
            row["description"],
            row["currency"],
            row["baseline"],
            row["amount"],
            row["difference"],
            row["percent"],
            row["at_stake"],
            row["base_currency"],
            row["at_stake_base"],
            row["key"],
            row["entity"],
            row["procore_link"],
            row["xero_link"],
        ]
        for row in report.findings.to_dict("records")
    )
    return write_csv(FINDING_COLUMNS, rows)


def budget_csv(report: DriftReport) -> str:
    labels = report.projects.set_index("project_id")["label"]
    rows = (
        [labels.get(row["project_id"], row["project_id"]), *(row[c] for c in BUDGET_COLUMNS[1:])]
        for row in report.budget.to_dict("records")
    )
    return write_csv(BUDGET_COLUMNS, rows)
