"""Records waiting in the exception queue, with the money they hold back.

Every open exception is listed, as on the exceptions page and in the demo's console: what is out of scope
by design (projects not at the "Send to Xero" stage) the sync neither sends nor queues (``sync.scope``),
so the queue holds only records a person can act on, among them the documents of a project at the stage
that could not be synced (no job number, say), held for it. The amount at stake is read from the failing
values the sync stored: how far a PO is above the remaining budget, else the document's net due or total.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.objects import APPROVABLE_REASONS
from procore_xero.reports.exception_roots import Root, StagedDocument, root_of
from procore_xero.reports.frames import records, rows_frame
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import ZERO, dec
from procore_xero.staging import QueuedException

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
    "root_kind",  # vendor / project the record waits on (``reports.exception_roots``), else None
    "root_key",
    "root_label",
    "document_total",  # the staged record's amount, for a record held for a root
]


ROOT_COLUMNS = ["root_kind", "root_key", "root_label", "records", "documents_total"]


def waiting_rows(inputs: DriftInputs, invoice_commitments: Mapping[str, str]) -> pd.DataFrame:
    """One row per open exception; ``invoice_commitments``: requisition -> commitment (a held invoice's
    money is part of its commitment's difference, not extra)."""
    rows = []
    for exception in inputs.exceptions:
        problem = exception.problem
        key = (problem.source_system, problem.object_type, str(problem.source_id))
        project = inputs.record_projects.get(key)
        staged = inputs.record_documents.get(key)
        root = root_of(problem.reason_code, project, staged, inputs.project_labels)
        rows.append(_row(exception, project, invoice_commitments, root, staged))
    return rows_frame(rows, COLUMNS)


def _row(
    exception: QueuedException,
    project: str | None,
    invoice_commitments: Mapping[str, str],
    root: Root | None,
    staged: StagedDocument | None,
) -> dict:
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
        "root_kind": root.kind if root else None,
        "root_key": root.key if root else None,
        "root_label": root.label if root else None,
        "document_total": staged.amount if root and staged else None,
    }


def root_rows(waiting: pd.DataFrame) -> pd.DataFrame:
    """One row per vendor or project that queued records wait on: how many records (each once) and the
    staged documents' total; most money first. Fixing the root releases them all."""
    labels: dict[tuple[str, str], str] = {}
    amounts: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}
    for row in records(waiting, lambda r: isinstance(r["root_kind"], str)):
        root = (row["root_kind"], str(row["root_key"]))
        labels.setdefault(root, str(row["root_label"]))
        amounts.setdefault(root, {})[(row["object_type"], row["source_id"])] = dec(row["document_total"])
    rows: list[dict[str, Any]] = [
        {
            "root_kind": kind,
            "root_key": key,
            "root_label": labels[(kind, key)],
            "records": len(held),
            "documents_total": sum(held.values(), ZERO),
        }
        for (kind, key), held in amounts.items()
    ]
    rows.sort(key=lambda r: (-r["documents_total"], r["root_kind"], r["root_key"]))
    return rows_frame(rows, ROOT_COLUMNS)


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
