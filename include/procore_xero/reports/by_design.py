"""Projects not sent to Xero by design (not at the settings' "Send to Xero" stage): one line each, with
the finalised documents that stay in Procore, so the controller sees the scope without a queue entry per
document. The projects are the sync's own (``sync.scope``, which neither sends nor queues them), a project
already in Xero from an earlier stage included: its new documents are not sent either."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from procore_xero.mapping.project_currency import document_projects
from procore_xero.reports.frames import records, rows_frame
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.settings import DriftSettings
from procore_xero.sync.scope import out_of_scope_projects

# Report column -> (staged Procore frame, the settings' source_statuses key)
DOCUMENTS = {
    "commitments": ("commitments", "commitments"),
    "invoices": ("requisitions", "requisitions"),
    "owner_invoices": ("payment_applications", "payment_applications"),
}
COLUMNS = ["project_id", "label", "stage", *DOCUMENTS]


def not_sent_rows(inputs: DriftInputs, knobs: DriftSettings) -> pd.DataFrame:
    """One row per project not at the send stage: its label, stage and how many finalised commitments,
    subcontractor invoices and owner invoices it holds."""
    counts = {column: _finalised_per_project(inputs, knobs, *source) for column, source in DOCUMENTS.items()}
    out = out_of_scope_projects(inputs.procore["projects"], knobs.send_stage)
    rows = []
    for project in records(inputs.procore["projects"]):
        stage, pid = (project.get("project_stage") or {}).get("name"), str(project["id"])
        if pid not in out:
            continue
        rows.append(
            {
                "project_id": pid,
                "label": f"{project.get('project_number') or ''} {project.get('name') or ''}".strip(),
                "stage": stage or "(no stage)",
                **{column: counts[column][pid] for column in DOCUMENTS},
            }
        )
    frame = rows_frame(rows, COLUMNS)
    return frame.sort_values(["label", "project_id"]).reset_index(drop=True) if len(frame) else frame


def describe(row: dict) -> str:
    """ "25-103 Gamma (Bidding): 3 commitments, 12 subcontractor invoices, 0 owner invoices" """
    return (
        f"{row['label']} ({row['stage']}): {row['commitments']} commitment(s), {row['invoices']} "
        f"subcontractor invoice(s), {row['owner_invoices']} owner invoice(s) stay in Procore"
    )


def _finalised_per_project(inputs: DriftInputs, knobs: DriftSettings, frame_name: str, kind: str) -> Counter:
    frame = inputs.procore.get(frame_name)
    if frame is None or frame.empty or "status" not in frame:
        return Counter()
    final = frame[frame["status"].isin(knobs.source_statuses[kind])]
    return Counter(str(p) for p in document_projects(final) if p is not None)
