"""Budget vs actuals per project and budget code (cost code + cost type), the controller's spreadsheet.

Procore side: original and revised budget and committed costs as the project's budget view computes them
(its detail rows: Procore counts approved commitments and their approved change orders, whose lines it
does not publish), invoiced to date (work completed on finalised subcontractor invoices) and retainage
still held. Xero side: the nightly job-cost figures (bills + spend money tracked to
the project), in the project's currency and in the organisation's base currency. Amounts stay Decimal.
"""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.invoice_items import HELD, RELEASED, STORED, STORED_BEFORE, WORK, line_types
from procore_xero.reports.frames import merge_outer, records, rows_frame, sum_by, text_id
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import ZERO, dec
from procore_xero.reports.settings import DriftSettings

KEY = ["project_id", "cost_code_id", "line_item_type_id"]
FIGURES = (
    "original_budget",
    "revised_budget",
    "committed",
    "procore_invoiced",
    "retainage_held",
    "xero_actual",
    "xero_actual_base",
    "xero_commitment_invoiced",
    "xero_direct_costs",
)
COLUMNS = [
    *KEY,
    "cost_code",
    "cost_type",
    "description",
    "currency",
    *FIGURES,
    "actual_over_budget",
    "committed_over_budget",
]


def budget_rows(inputs: DriftInputs, settings: DriftSettings, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per in-scope project and budget code with ``FIGURES`` and the two overruns."""
    statuses = settings.source_statuses
    parts = [
        _budget(inputs.procore["budget_view_detail_rows"], inputs.procore["line_item_types"]),
        _invoiced(
            inputs.procore["requisitions"], inputs.procore["commitment_line_items"], statuses["requisitions"]
        ),
        _xero(inputs.job_costs),
    ]
    rows = merge_outer(parts, KEY, FIGURES)
    rows = rows[rows["project_id"].isin(set(projects["project_id"]))]
    rows = _labelled(rows, inputs, projects)
    rows["actual_over_budget"] = rows["xero_actual"] - rows["revised_budget"]
    rows["committed_over_budget"] = rows["committed"] - rows["revised_budget"]
    order = rows.sort_values(["project_number", "cost_code", "cost_type"], kind="stable").index
    return rows.loc[order, COLUMNS].reset_index(drop=True).astype(object)


def _budget(detail_rows: pd.DataFrame, line_item_types: pd.DataFrame) -> pd.DataFrame:
    figures = budget_figures(detail_rows, line_item_types)
    return sum_by(figures, KEY, FIGURES[:3])


def _invoiced(
    requisitions: pd.DataFrame, commitment_lines: pd.DataFrame, statuses: tuple[str, ...]
) -> pd.DataFrame:
    """Per budget code, what finalised invoices billed (work and change in materials stored) and the
    retainage they hold; an item's cost type is its SOV line's (items name only their line)."""
    type_of = line_types(commitment_lines)
    items = [
        {
            "project_id": text_id(invoice["project_id"]),
            "cost_code_id": text_id(item.get("cost_code_id")),
            "line_item_type_id": type_of.get(text_id(item.get("line_item_id")) or ""),
            "procore_invoiced": dec(item.get(WORK)) + dec(item.get(STORED)) - dec(item.get(STORED_BEFORE)),
            "retainage_held": sum((dec(item.get(k)) for k in HELD), ZERO)
            - sum((dec(item.get(k)) for k in RELEASED), ZERO),
        }
        for invoice in records(requisitions, lambda r: r.get("status") in statuses)
        for item in invoice.get("items") or []
    ]
    columns = ["procore_invoiced", "retainage_held"]
    return sum_by(rows_frame(items, [*KEY, *columns]), KEY, columns)


def _xero(job_costs: pd.DataFrame) -> pd.DataFrame:
    names = {
        "jtd_cost": "xero_actual",
        "jtd_cost_base": "xero_actual_base",
        "commitment_invoiced": "xero_commitment_invoiced",
        "direct_costs": "xero_direct_costs",
    }
    if job_costs.empty:
        return rows_frame([], [*KEY, *names.values()])
    frame = job_costs.rename(columns=names)[[*KEY, *names.values()]].copy()
    for column in KEY:
        frame[column] = frame[column].map(text_id)
    return sum_by(frame, KEY, names.values())


def _labelled(rows: pd.DataFrame, inputs: DriftInputs, projects: pd.DataFrame) -> pd.DataFrame:
    """Cost code, cost type and name from Procore (the job-cost row's codes when Procore lacks them)."""
    codes = {str(c["id"]): c for c in records(inputs.procore["cost_codes"])}
    types = {str(t["id"]): t for t in records(inputs.procore["line_item_types"])}
    fallback = {
        (text_id(r["cost_code_id"]), text_id(r["line_item_type_id"])): r for r in records(inputs.job_costs)
    }
    out = rows.copy()
    keys = list(zip(out["cost_code_id"], out["line_item_type_id"], strict=True))
    out["cost_code"] = [
        (codes.get(c) or {}).get("full_code") or (fallback.get((c, t)) or {}).get("cost_code") or "?"
        for c, t in keys
    ]
    out["cost_type"] = [
        (types.get(t) or {}).get("code") or (fallback.get((c, t)) or {}).get("cost_type") or "?"
        for c, t in keys
    ]
    out["description"] = [
        " - ".join(x for x in ((codes.get(c) or {}).get("name"), (types.get(t) or {}).get("name")) if x)
        for c, t in keys
    ]
    by_project = projects.set_index("project_id")
    out["currency"] = out["project_id"].map(by_project["currency"])
    out["project_number"] = out["project_id"].map(by_project["number"])
    return out
