"""Project totals: the sums of the report's budget rows per project (so they reconcile by construction),
plus Xero paid to date on the project's subcontract bills, the project's findings, its drift at stake and
what its queued records hold back."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.reports.findings import money_at_stake, money_held
from procore_xero.reports.frames import sum_by
from procore_xero.reports.money import ZERO, to_base

SUMMED = (
    "original_budget",
    "revised_budget",
    "committed",
    "procore_invoiced",
    "retainage_held",
    "xero_actual",
    "xero_actual_base",
)
COLUMNS = [
    "project_id",
    "project",
    "currency",
    *SUMMED,
    "xero_paid",
    "revised_budget_base",
    "committed_base",
    "findings",
    "at_stake_base",
    "held_base",
]


def project_totals(
    projects: pd.DataFrame,
    budget: pd.DataFrame,
    commitments: pd.DataFrame,
    findings: pd.DataFrame,
    rates: Mapping[str, Decimal],
) -> pd.DataFrame:
    """One row per in-scope project; amounts in its currency, ``*_base`` in the base currency."""
    sums = sum_by(budget, ["project_id"], SUMMED).set_index("project_id")
    paid = sum_by(commitments, ["project_id"], ["xero_paid"]).set_index("project_id")["xero_paid"]
    rows = []
    for project in projects.to_dict("records", into=dict):
        pid, rate = project["project_id"], rates.get(project["currency"], Decimal(1))
        figures: dict[str, Any] = {name: sums.at[pid, name] if pid in sums.index else ZERO for name in SUMMED}
        own = findings[findings["project_id"] == pid] if len(findings) else findings
        rows.append(
            {
                "project_id": pid,
                "project": project["label"],
                "currency": project["currency"],
                **figures,
                "xero_paid": paid.get(pid, ZERO),
                "revised_budget_base": to_base(figures["revised_budget"], rate),
                "committed_base": to_base(figures["committed"], rate),
                "findings": len(own),
                "at_stake_base": money_at_stake(own),
                "held_base": money_held(own),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).astype(object)
