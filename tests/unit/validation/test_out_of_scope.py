"""Projects not at the send stage are out of scope by design (``sync.scope``): their records are split off
before validation, and what an earlier run queued on them closes as ``out_of_scope``, re-opening if the
project comes back (real SQLite staging)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from procore_xero.mapping.staged import records_frame
from procore_xero.staging import (
    Problem,
    TenantKey,
    create_staging_engine,
    decide,
    ensure_schema,
    list_open,
    raise_exception,
)
from procore_xero.staging.schema import exceptions
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
            "source_type": ["procore/requisitions"] * 4,
            "source_id": ["11", "12", "13", "14"],
            "project_id": ["1", "2", "3", "2"],
        }
    )
    kept, by_design = split_out_of_scope(frame, out_of_scope_projects(PROJECTS, "Send to Xero"))
    assert kept["source_id"].tolist() == ["11"] and by_design["source_id"].tolist() == ["12", "13", "14"]
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    ids = {
        (source_id, reason): raise_exception(
            engine,
            Problem(TENANT, "procore", "requisitions", source_id, reason),
            source_label=f"Invoice {source_id}",
            message=reason,
        )
        for source_id, reason in (
            ("11", "project_not_synced"),
            ("12", "project_not_synced"),
            ("13", "negative_invoice"),
            ("14", "po_above_remaining_budget"),
        )
    }
    decide(engine, ids[("14", "po_above_remaining_budget")], approve=True, decided_by="cfo")
    assert close_by_design(engine, TENANT, by_design, "run-2") == 2  # whatever held them; not 14's approval
    assert [(e.problem.source_id, e.problem.reason_code) for e in list_open(engine, TENANT)] == [
        ("11", "project_not_synced"),  # in scope: a real problem
    ]
    assert statuses(engine) == {
        ids[("11", "project_not_synced")]: ("open", None),
        ids[("12", "project_not_synced")]: ("out_of_scope", "run-2"),
        ids[("13", "negative_invoice")]: ("out_of_scope", "run-2"),
        ids[("14", "po_above_remaining_budget")]: ("approved", None),  # the controller's call is kept
    }
    engine.dispose()


def test_a_record_whose_project_comes_back_into_scope_reopens_its_exception(database_url: str) -> None:
    """Same id, same age, one more occurrence: nothing about it was lost while it was out of scope (SQLite
    and PostgreSQL: the re-opening update is one statement with a subquery)."""
    engine = create_staging_engine(database_url)
    ensure_schema(engine)
    problem = Problem(TENANT, "procore", "requisitions", "13", "negative_invoice")
    first = raise_exception(engine, problem, source_label="Invoice 13", message="net due -150.25")
    out = pd.DataFrame({"source_type": ["procore/requisitions"], "source_id": ["13"], "project_id": ["2"]})
    assert close_by_design(engine, TENANT, out, "run-2") == 1 and list_open(engine, TENANT) == []
    again = raise_exception(engine, problem, source_label="Invoice 13", message="net due -150.25")
    (reopened,) = list_open(engine, TENANT)
    assert again == first == reopened.id and reopened.occurrences == 2
    assert statuses(engine) == {first: ("open", None)}  # the raising run's id (none here)
    assert close_by_design(engine, TENANT, out, "run-3") == 1
    assert close_by_design(engine, TENANT, out, "run-4") == 0  # nothing open left to close
    engine.dispose()


def statuses(engine: Engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(select(exceptions.c.id, exceptions.c.status, exceptions.c.run_id)).all()
    return {row.id: (row.status, row.run_id) for row in rows}
