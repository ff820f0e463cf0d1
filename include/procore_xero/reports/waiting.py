"""Records waiting in the exception queue that concern the synced books, with the money they hold back.

Left out: records of projects that are not in Xero on purpose (not at the "Send to Xero" stage): their
documents wait by design until the project moves there. The amount at stake is read from the failing values
the sync stored: how far a PO is above the remaining budget, else the document's net due or total.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.reports.frames import rows_frame
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import ZERO, dec
from procore_xero.staging import QueuedException
from procore_xero.sync.decisions import APPROVABLE_REASONS

BY_DESIGN = frozenset({"wrong_stage", "project_not_synced"})
AMOUNT_FIELDS = ("net_due", "total", "amount", "gross_this_period")
COLUMNS = [
    "exception_id",
    "source_system",
    "object_type",
    "source_id",
    "reason_code",
    "label",
    "message",
    "project_id",
    "commitment_id",
    "amount",
    "approvable",
    "first_seen",
]


def waiting_rows(
    inputs: DriftInputs, projects: pd.DataFrame, invoice_commitments: Mapping[str, str]
) -> pd.DataFrame:
    """One row per open exception on the synced books; ``invoice_commitments``: requisition -> commitment
    (a held invoice's money is part of its commitment's difference, not extra)."""
    scope = set(projects["project_id"])
    rows = []
    for exception in inputs.exceptions:
        problem = exception.problem
        key = (problem.source_system, problem.object_type, str(problem.source_id))
        project = inputs.record_projects.get(key)
        if problem.reason_code in BY_DESIGN:
            continue
        if project is not None and project not in scope and problem.object_type != "projects":
            continue
        rows.append(_row(exception, project, invoice_commitments))
    return rows_frame(rows, COLUMNS)


def _row(exception: QueuedException, project: str | None, invoice_commitments: Mapping[str, str]) -> dict:
    problem = exception.problem
    commitment = (
        invoice_commitments.get(str(problem.source_id)) if problem.object_type == "requisitions" else None
    )
    return {
        "exception_id": exception.id,
        "source_system": problem.source_system,
        "object_type": problem.object_type,
        "source_id": str(problem.source_id),
        "reason_code": problem.reason_code,
        "label": exception.source_label,
        "message": exception.message,
        "project_id": project,
        "commitment_id": commitment,
        "amount": held_amount(exception.details),
        "approvable": problem.reason_code in APPROVABLE_REASONS,
        "first_seen": exception.created_at,
    }


def held_amount(details: Any) -> Any:
    """The money a queued record holds back, from the values its failing rule showed (0.00 if none)."""
    values = (details or {}).get("values") if isinstance(details, Mapping) else None
    if not isinstance(values, Mapping):
        return ZERO
    if values.get("total") is not None and values.get("remaining_budget") is not None:
        return max(dec(values["total"]) - dec(values["remaining_budget"]), ZERO)
    for field in AMOUNT_FIELDS:
        if values.get(field) is not None:
            return abs(dec(values[field]))
    return ZERO
