"""Projects the sync leaves out by design: those not at the settings' ``send_to_xero_stage``.

Their projects and documents are not sent and not queued: nothing is wrong with them, and a controller
who must scroll past hundreds of them misses the records that do need a decision. Whatever an earlier run
queued on them is closed as ``out_of_scope`` (the row and its reason kept). The step result counts them,
and the drift report lists each such project on one line ("not sent by design"). Once a project moves to
the stage, its records are sent on the next run like any other, and one that still fails re-opens its
exception (``staging.raise_exception``).

This is the only place that decides what is out of scope: the exceptions page, the drift report and the
approval all list the open queue as it is.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine

from procore_xero.mapping.frames import id_text, pluck
from procore_xero.staging import TenantKey, close_out_of_scope


def out_of_scope_projects(projects: pd.DataFrame, send_stage: str) -> frozenset[str]:
    """Ids (text) of the staged projects not at ``send_stage`` (no stage at all included)."""
    if projects.empty or "project_stage" not in projects:
        return frozenset()
    stages = pluck(projects["project_stage"], "name")
    return frozenset(
        str(p) for p, stage in zip(id_text(projects["id"]), stages, strict=True) if stage != send_stage
    )


def split_out_of_scope(frame: pd.DataFrame, out: frozenset[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records to send or hold, records of out-of-scope projects); frames without a project stay whole."""
    if "project_id" not in frame or not out:
        return frame, frame.iloc[0:0]
    mask = frame["project_id"].astype(str).isin(out)
    return frame[~mask].reset_index(drop=True), frame[mask].reset_index(drop=True)


def close_by_design(
    bind: Engine | Connection, tenant: TenantKey, by_design: pd.DataFrame, run_id: str
) -> int:
    """Close every open exception an earlier run raised on records that are out of scope by design."""
    closed = 0
    for source_type, rows in by_design.groupby("source_type"):
        system, _, object_type = str(source_type).partition("/")
        ids = rows["source_id"].astype(str)
        closed += close_out_of_scope(bind, tenant, system, object_type, ids, run_id=run_id)
    return closed
