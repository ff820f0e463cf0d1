"""Projects not at the send stage are out of scope by design (``sync.scope``): their records are split off
before validation, and what an earlier run queued on them closes (real SQLite staging)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from procore_xero.mapping.staged import records_frame
from procore_xero.staging import (
    Problem,
    TenantKey,
    create_staging_engine,
    ensure_schema,
    list_open,
    raise_exception,
)
from procore_xero.sync.scope import close_by_design, out_of_scope_projects, split_out_of_scope

TENANT = TenantKey(7, "tenant-1")
PROJECTS = records_frame(
    [
        {"id": 1, "project_stage": {"name": "Send to Xero"}},
        {"id": 2, "project_stage": {"name": "Bidding"}},
        {"id": 3, "project_stage": None},
    ]
)


def test_projects_at_another_stage_or_none_are_out_of_scope() -> None:
    assert out_of_scope_projects(PROJECTS, "Send to Xero") == frozenset({"2", "3"})
    assert out_of_scope_projects(pd.DataFrame(), "Send to Xero") == frozenset()


def test_their_records_are_split_off_and_old_exceptions_close(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "source_type": ["procore/requisitions"] * 3,
            "source_id": ["11", "12", "13"],
            "project_id": ["1", "2", "3"],
        }
    )
    kept, by_design = split_out_of_scope(frame, out_of_scope_projects(PROJECTS, "Send to Xero"))
    assert kept["source_id"].tolist() == ["11"] and by_design["source_id"].tolist() == ["12", "13"]
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    for source_id, reason in (
        ("11", "project_not_synced"),
        ("12", "project_not_synced"),
        ("13", "negative_invoice"),
    ):
        problem = Problem(TENANT, "procore", "requisitions", source_id, reason)
        raise_exception(engine, problem, source_label=f"Invoice {source_id}", message=reason)
    assert close_by_design(engine, TENANT, by_design, "run-2") == 1
    assert [(e.problem.source_id, e.problem.reason_code) for e in list_open(engine, TENANT)] == [
        ("11", "project_not_synced"),  # in scope: a real problem
        ("13", "negative_invoice"),  # not a scope reason
    ]
    engine.dispose()
