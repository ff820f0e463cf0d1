"""What the drift report leaves out of the synced books, and says so: a document in another currency than
its project's is no job cost there (the figures the job_costs run stores in real SQLite staging, and the
report built on them, to the cent); projects not at the send stage are one line each, not queue entries."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pandas as pd

from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import LineCoder, document_lines
from procore_xero.mapping.staged import records_frame
from procore_xero.reports.exception_roots import Root, StagedDocument
from procore_xero.reports.message import render_report
from procore_xero.reports.report import compute_report
from procore_xero.reports.summary import notes
from procore_xero.staging import create_staging_engine, ensure_schema
from procore_xero.staging.job_costs import read_job_costs, replace_job_costs
from procore_xero.sync.job_cost_run import compute_job_costs
from tests.unit.reports.books import ALPHA, BETA, GAMMA, SETTINGS, TENANT, books, queued

CONCRETE_SUB = {"cost_code_id": "100", "line_item_type_id": "1", "cost_code": "03-300", "cost_type": "S"}
CODER = LineCoder({(str(BETA), "03-300-S"): CONCRETE_SUB}, {}, {}, "RETAINAGE")
KNOWN = KnownInProcore(
    project_by_option={"opt-b": str(BETA)},
    requisition_by_bill={},
    vendor_by_contact={},
    made_by_sync=frozenset(),
    base_currency="USD",
)


def _spend(doc_id: str, amount: str, currency: str, rate: str) -> dict[str, object]:
    line = {"ItemCode": "03-300-S", "AccountCode": "310", "LineAmount": amount, "Quantity": 1}
    return {
        "BankTransactionID": doc_id,
        "Type": "SPEND",
        "Status": "AUTHORISED",
        "CurrencyCode": currency,
        "CurrencyRate": rate,
        "LineItems": [{**line, "Tracking": [{"Name": "Project", "TrackingOptionID": "opt-b"}]}],
    }


def test_a_usd_spend_on_a_cad_project_is_neither_a_cad_job_cost_nor_in_the_report(tmp_path: Path) -> None:
    spend = records_frame(
        [_spend("spend-cad", "56000.00", "CAD", "1.35"), _spend("spend-usd", "95.00", "USD", "1")]
    )
    rows = compute_job_costs(document_lines(spend, KNOWN, CODER), {str(BETA): "CAD"}, KNOWN)
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    replace_job_costs(engine, TENANT, rows.to_dict("records"), run_id="run-1")
    (stored,) = read_job_costs(engine, TENANT)
    engine.dispose()
    assert (stored["currency"], stored["jtd_cost"], stored["jtd_cost_base"]) == (
        "CAD",
        D("56000.00"),  # not 56,095.00: the USD 95.00 waits as currency_mismatch
        D("41481.48"),
    )
    report = compute_report(books(job_costs=pd.DataFrame([stored])), SETTINGS)
    beta = report.budget.set_index(["project_id", "cost_code_id", "line_item_type_id"]).loc[
        (str(BETA), "100", "1")
    ]
    assert (beta["currency"], beta["xero_actual"], beta["xero_actual_base"]) == (
        "CAD",
        D("56000.00"),
        D("41481.48"),
    )
    assert beta["actual_over_budget"] == D("6000.00")
    assert any("counts in no job cost (it waits as currency_mismatch)" in note for note in notes(report))


def test_projects_out_of_scope_are_one_line_each_with_their_documents() -> None:
    """Gamma is at "Bidding": its approved documents are counted on its line, its drafts are not."""
    inputs = books()
    procore = dict(inputs.procore)
    procore["projects"] = records_frame(
        [
            {**p, "project_stage": {"name": "Bidding" if p["id"] == GAMMA else "Send to Xero"}}
            for p in procore["projects"].to_dict("records")
        ]
    )
    procore["commitments"] = records_frame(
        [
            *procore["commitments"].to_dict("records"),
            {"id": 901, "status": "Approved", "kind": "work_order_contracts", "project": {"id": GAMMA}},
            {"id": 902, "status": "Draft", "kind": "work_order_contracts", "project": {"id": GAMMA}},
        ]
    )
    procore["requisitions"] = records_frame(
        [
            *procore["requisitions"].to_dict("records"),
            {"id": 911, "project_id": GAMMA, "status": "approved"},
            {"id": 912, "project_id": GAMMA, "status": "approved"},
            {"id": 913, "project_id": GAMMA, "status": "draft"},
        ]
    )
    procore["payment_applications"] = records_frame([{"id": 921, "project_id": GAMMA, "status": "approved"}])
    report = compute_report(replace(inputs, procore=procore), SETTINGS)
    assert report.not_sent.to_dict("records") == [
        {
            "project_id": str(GAMMA),
            "label": "25-103 Gamma",
            "stage": "Bidding",
            "commitments": 1,
            "invoices": 2,
            "owner_invoices": 1,
        }
    ]
    assert report.documents_not_sent == 4
    text = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui").text
    assert (
        "  25-103 Gamma (Bidding): 1 commitment(s), 2 subcontractor invoice(s), 1 owner invoice(s) stay in "
        "Procore" in text
    )
    assert str(GAMMA) not in set(report.waiting["project_id"].dropna())


def test_a_project_in_xero_that_left_the_send_stage_is_listed_as_not_sent() -> None:
    """Beta was synced (it has a tracking option) and is now at "Closeout": the sync sends none of its new
    documents (``sync.scope``), so the report says so, while its books in Xero are still checked."""
    inputs = books()
    procore = dict(inputs.procore)
    procore["projects"] = records_frame(
        [
            {**p, "project_stage": {"name": "Closeout"}} if p["id"] == BETA else p
            for p in procore["projects"].to_dict("records")
        ]
    )
    report = compute_report(replace(inputs, procore=procore), SETTINGS)
    assert [(r["label"], r["stage"]) for r in report.not_sent.to_dict("records")] == [
        ("25-102 Beta", "Closeout"),
        ("25-103 Gamma", "(no stage)"),
    ]
    assert str(BETA) in set(report.projects["project_id"])


def test_a_bill_voided_in_xero_is_shown_as_voided_with_its_money() -> None:
    """The loader held requisition 702's bill as voided_in_xero (to_xero.gone_in_xero's details)."""
    inputs = books()
    details = {"xero_id": "b2", "xero_status": "VOIDED", "values": {"total": "950.00"}}
    voided = replace(
        queued(5, "procore", "requisitions", "702", "voided_in_xero", {}),
        message="Invoice 702 on SC-001: the sync created it in Xero, where it is now VOIDED; not re-sent",
        details=details,
    )
    report = compute_report(
        replace(
            inputs,
            exceptions=(*inputs.exceptions, voided),
            record_projects={**inputs.record_projects, ("procore", "requisitions", "702"): str(ALPHA)},
        ),
        SETTINGS,
    )
    row = report.waiting[report.waiting["exception_id"] == 5].iloc[0]
    assert (row["reason_code"], row["amount"], row["approvable"]) == ("voided_in_xero", D("950.00"), True)
    finding = report.findings[
        report.findings["key"] == "waiting_in_queue:procore:requisitions:702:voided_in_xero"
    ]
    (description,) = finding["description"]
    assert description.startswith(
        "[voided_in_xero] Invoice 702 on SC-001: the sync created it in Xero, where it is now VOIDED"
    )
    assert report.money_held == D("500.00") + D("950.00")


def test_records_waiting_on_one_vendor_are_one_line_with_their_count_and_documents_total() -> None:
    """Two commitments and one invoice of vendor 77 wait as unmapped_vendor, the vendor itself as
    duplicate_vendor_name; the amounts are the staged documents' (``reports.exception_roots``)."""
    inputs = books()
    vendor = Root("vendor", "procore:77", "Acme Steel")
    held = {
        ("procore", "commitments", "801"): StagedDocument(vendor, D("1000.10")),
        ("procore", "commitments", "802"): StagedDocument(vendor, D("2500.25")),
        ("procore", "requisitions", "803"): StagedDocument(vendor, D("99.99")),
        ("procore", "vendors", "77"): StagedDocument(vendor, None),
    }
    exceptions = [
        queued(10 + n, system, kind, source_id, "unmapped_vendor", {"contact_mapped": False})
        for n, (system, kind, source_id) in enumerate(held)
    ]
    exceptions[-1] = queued(20, "procore", "vendors", "77", "duplicate_vendor_name", {"name": "Acme Steel"})
    report = compute_report(
        replace(
            inputs,
            exceptions=(*inputs.exceptions, *exceptions),
            record_projects={**inputs.record_projects, **dict.fromkeys(list(held)[:3], str(ALPHA))},
            record_documents=held,
        ),
        SETTINGS,
    )
    assert report.queue_roots.to_dict("records") == [
        {
            "root_kind": "vendor",
            "root_key": "procore:77",
            "root_label": "Acme Steel",
            "records": 4,
            "documents_total": D("3600.34"),
        }
    ]
    text = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui").text
    assert "Waiting on a vendor or project: 1 vendor(s), 0 project(s)" in text
    assert "  vendor Acme Steel: 4 record(s), 3,600.34 in documents" in text
