"""One queue, counted the same everywhere (issues 14 and 18 item 6), on a small seed in real SQLite staging
that reproduces the demo's case: a synced project, one at the send stage without a job number (the sync
holds its documents for it) and one at another stage (out of scope by design, with exceptions an earlier
run left open on it). The exceptions page and the drift report list the same exception ids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from procore_xero.airflow.exceptions_page import render_page
from procore_xero.mapping.staged import read_staged
from procore_xero.reports.inputs import read_inputs
from procore_xero.reports.open_exceptions import ExceptionFilter, RootGroup, grouped, open_exceptions
from procore_xero.reports.waiting import waiting_rows
from procore_xero.staging import (
    Crosswalk,
    Problem,
    StagingKey,
    TenantKey,
    create_staging_engine,
    ensure_schema,
    list_open,
    raise_exception,
    record_mapping,
    upsert_records,
)
from procore_xero.sync.scope import close_by_design, out_of_scope_projects, split_out_of_scope

TENANT = TenantKey(company_id=4_000_000_001, tenant_id="aaaaaaaa-0000-4000-8000-000000000001")
SYNCED, UNNUMBERED, BIDDING = 11, 12, 13
STAMP = {"updated_at": "2026-03-01T10:00:00Z", "deleted_at": None}
STAGE = "Send to Xero"
HOSTILE = "Phoenix <b>Clinic</b> [x](https://evil.example)"  # a name someone typed in Procore


def project(pid: int, number: str | None, name: str, stage: str) -> dict:
    return {"id": pid, "project_number": number, "name": name, "project_stage": {"name": stage}, **STAMP}


def invoice(rid: int, pid: int, due: str) -> dict:
    return {"id": rid, "project_id": pid, "vendor_id": 77, "summary": {"current_payment_due": due}, **STAMP}


def seed(engine: Engine) -> dict[str, int]:
    """Staged projects and invoices, the synced project's tracking option, and the queue a run left."""
    projects = [
        project(SYNCED, "25-101", "Denver Hotel", STAGE),
        project(UNNUMBERED, None, HOSTILE, STAGE),
        project(BIDDING, "25-103", "Tucson School", "Bidding"),
    ]
    upsert_records(
        engine, "procore", "projects", projects, key=StagingKey(company_id=TENANT.company_id), run_id="r"
    )
    for rid, pid, due in ((501, SYNCED, "-150.25"), (502, UNNUMBERED, "1200.50"), (503, BIDDING, "75.00")):
        key = StagingKey(company_id=TENANT.company_id, project_id=pid)
        upsert_records(engine, "procore", "requisitions", [invoice(rid, pid, due)], key=key, run_id="r")
    record_mapping(
        engine, TENANT, Crosswalk("procore", "projects", "xero", "TrackingOptions"), SYNCED, "opt-1"
    )
    queued = {
        "negative": ("requisitions", 501, "negative_invoice", {"net_due": "-150.25"}),
        "job_number": ("projects", UNNUMBERED, "missing_job_number", {"job_number": None}),
        "held_for_project": ("requisitions", 502, "project_not_synced", {"project_option_mapped": False}),
        "vendor_on_unnumbered": ("requisitions", 502, "unmapped_vendor", {"contact_mapped": False}),
        "vendor_on_bidding": ("requisitions", 503, "unmapped_vendor", {"contact_mapped": False}),
    }
    return {
        name: raise_exception(
            engine,
            Problem(TENANT, "procore", kind, source_id, reason),
            source_label=f"{kind} {source_id}",
            message=reason,
            details={"values": values},
            run_id="run-1",
        )
        for name, (kind, source_id, reason, values) in queued.items()
    }


def test_the_page_and_the_drift_report_list_the_same_open_exceptions(tmp_path: Path) -> None:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    ids = seed(engine)
    # The next run: the Bidding project is out of scope, so what was left open on its invoice closes.
    staged = pd.DataFrame(
        {
            "source_type": ["procore/requisitions"] * 3,
            "source_id": ["501", "502", "503"],
            "project_id": [str(SYNCED), str(UNNUMBERED), str(BIDDING)],
        }
    )
    out = out_of_scope_projects(read_staged(engine, "projects", TENANT.company_id), STAGE)
    assert out == frozenset({str(BIDDING)})
    _, by_design = split_out_of_scope(staged, out)
    assert close_by_design(engine, TENANT, by_design, "run-2") == 1

    expected = sorted(
        ids[name] for name in ("negative", "job_number", "held_for_project", "vendor_on_unnumbered")
    )
    assert sorted(e.id for e in list_open(engine, TENANT)) == expected
    page = open_exceptions(
        engine, {"alpha": TENANT}, now=datetime.now(UTC), approvals={}, wanted=ExceptionFilter()
    )
    report = waiting_rows(read_inputs(engine, TENANT, "USD"), {})
    assert sorted(r.exception_id for r in page) == sorted(report["exception_id"]) == expected

    # The unnumbered project is a root a controller can fix: its own exception and the invoice it holds.
    (group,) = [g for g in grouped(page) if isinstance(g, RootGroup) and g.root.kind == "project"]
    assert (group.root.key, group.root.label) == (str(UNNUMBERED), f"{HOSTILE} (no job number)")
    assert sorted(m.exception_id for m in group.members) == sorted(
        [ids["job_number"], ids["held_for_project"]]
    )
    assert group.documents == 2 and str(group.total) == "1200.50"
    in_report = report[report["root_key"] == str(UNNUMBERED)]
    assert sorted(in_report["exception_id"]) == sorted(m.exception_id for m in group.members)
    assert set(in_report["root_label"]) == {f"{HOSTILE} (no job number)"}
    html = render_page(page, ["alpha"], ExceptionFilter(), datetime.now(UTC))
    assert "Phoenix &lt;b&gt;Clinic&lt;/b&gt; [x](https://evil.example) (no job number)" in html
    assert "<b>Clinic</b>" not in html and f'data-root="project:{UNNUMBERED}" data-records="2"' in html
    engine.dispose()
