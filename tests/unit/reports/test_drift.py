"""The drift report's computation on the hand-made books of ``books.py``: figures to the cent, thresholds,
ranking, what counts once, the CSV's formula neutralisation and the message's parts."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest

from procore_xero.mapping.staged import records_frame
from procore_xero.reports.chart import flagged_codes
from procore_xero.reports.checks import failing_rows, gx_frames
from procore_xero.reports.csv_files import neutralise, write_csv
from procore_xero.reports.findings import labelled_amounts
from procore_xero.reports.history import previous_keys, save_keys
from procore_xero.reports.links import RecordLinks
from procore_xero.reports.message import render_report
from procore_xero.reports.report import compute_report
from procore_xero.reports.settings import DriftSettings
from procore_xero.reports.summary import RECONCILED
from tests.unit.reports.books import (
    ALPHA,
    GAMMA,
    SETTINGS,
    SETTINGS_SECTION,
    SYNCED_AT,
    books,
    job_cost,
    link,
    queued,
    settings_with,
)

CONCRETE_KEY = ("10", "100", "1")


def budget_row(report, key):
    frame = report.budget.set_index(["project_id", "cost_code_id", "line_item_type_id"])
    return frame.loc[key].to_dict()


def test_budget_rows_add_up_to_the_cent() -> None:
    report = compute_report(books(), SETTINGS)
    alpha = budget_row(report, CONCRETE_KEY)
    assert {k: alpha[k] for k in ("cost_code", "cost_type", "currency")} == {
        "cost_code": "03-300",
        "cost_type": "S",
        "currency": "USD",
    }
    assert alpha["original_budget"] == D("10000.00") and alpha["revised_budget"] == D("10500.00")
    assert alpha["committed"] == D("11000.00")  # SOV 9,000 + approved CCO 2,000; draft and pending left out
    assert alpha["procore_invoiced"] == D("5000.00")  # approved invoices only
    assert alpha["retainage_held"] == D("500.00")
    assert alpha["xero_actual"] == D("12000.00") and alpha["actual_over_budget"] == D("1500.00")
    assert alpha["committed_over_budget"] == D("500.00")
    beta = budget_row(report, ("20", "100", "1"))
    assert (beta["currency"], beta["xero_actual"], beta["xero_actual_base"]) == (
        "CAD",
        D("56000.00"),
        D("41481.48"),
    )
    assert set(report.budget["project_id"]) == {"10", "20"}  # Gamma is not synced to Xero
    totals = report.totals.set_index("project_id")
    for project, rows in report.budget.groupby("project_id"):
        for figure in ("revised_budget", "committed", "xero_actual", "xero_actual_base", "retainage_held"):
            assert totals.at[project, figure] == sum(rows[figure], D("0.00"))
    assert totals.at["10", "xero_paid"] == D("3600.00")


def test_findings_are_ranked_by_money_at_stake_in_the_base_currency() -> None:
    report = compute_report(books(), SETTINGS)
    findings = report.findings
    assert list(findings["rank"]) == list(range(1, len(findings) + 1))
    top = findings.iloc[0]
    assert (top["rule"], top["project"], top["currency"]) == ("over_budget", "25-102 Beta", "CAD")
    assert (top["at_stake"], top["at_stake_base"]) == (D("6000.00"), D("4444.44"))  # 6,000 / 1.35
    assert top["percent"] == D("12.0")
    second = findings.iloc[1]
    assert (second["rule"], second["subject"], second["at_stake_base"]) == (
        "over_budget",
        "03-300-S Concrete - Subcontract",
        D("1500.00"),
    )
    rules = findings.groupby("rule")["key"].apply(list).to_dict()
    assert rules["billed_differently"] == ["billed_differently:501"]
    assert rules["edited_in_xero"] == ["edited_in_xero:requisitions:702"]
    assert "committed_over_budget" not in rules  # 500.00 and 4.8 %: under both thresholds
    assert sorted(rules["waiting_in_queue"]) == [
        "waiting_in_queue:procore:work_order_contracts:501:po_above_remaining_budget",
        "waiting_in_queue:xero:bank_transactions:bt-1:unmapped_cost_code",
    ]
    # The billing difference and the edited bill are the same 50.00; held records are counted apart.
    assert report.money_at_stake == D("4444.44") + D("1500.00") + D("50.00")
    assert report.money_held == D("500.00")  # the PO above its remaining budget
    assert report.projects_in_drift == 2 and report.awaiting_decision == 1
    assert report.subject() == (
        "Procore ↔ Xero drift "
        f"{report.report_date.isoformat()}: 6 finding(s), USD 5,994.44 drift at stake, 2 project(s) "
        "(Test Builders)"
    )


def test_billing_difference_and_edit_in_xero_but_not_a_payment() -> None:
    report = compute_report(books(), SETTINGS)
    commitments = report.commitments.set_index("commitment_id")
    assert commitments.at["501", "procore_invoiced"] == D("4500.00")
    assert commitments.at["501", "xero_billed"] == D("4550.00")
    assert commitments.at["501", "difference"] == D("-50.00")
    assert commitments.at["502", "difference"] == D("0.00")
    edited = report.documents.set_index("source_id")["edited_in_xero"].to_dict()
    assert edited == {"701": False, "702": True, "703": False}  # 701 was only paid since the sync


def test_an_invoice_missing_in_xero_is_counted_and_named() -> None:
    links = {k: v for k, v in books().bill_links.items() if k != "702"}
    report = compute_report(books(bill_links=links), SETTINGS)
    row = report.commitments.set_index("commitment_id").loc["501"]
    assert (row["xero_billed"], row["not_in_xero"], row["not_in_xero_amount"]) == (
        D("3600.00"),
        1,
        D("900.00"),
    )
    finding = report.findings[report.findings["rule"] == "billed_differently"].iloc[0]
    assert "1 invoice(s) for USD 900.00 have no bill in Xero" in finding["description"]


def threshold_frames(over: list[str], budget: list[str]) -> dict[str, pd.DataFrame]:
    rows = pd.DataFrame(
        {
            "actual_over_budget": [D(v) for v in over],
            "committed_over_budget": [D("0.00")] * len(over),
            "revised_budget": [D(v) for v in budget],
        }
    ).astype(object)
    empty = pd.DataFrame(columns=["procore_invoiced", "xero_billed", "edited_in_xero", "edited_in_procore"])
    return gx_frames(rows, empty, empty)


def test_thresholds_are_exact_and_both_must_be_exceeded() -> None:
    knobs = DriftSettings.from_settings(settings_with({"drift": {"amount": "1000.00", "percent": "5"}}))
    over = ["1000.00", "1000.01", "5000.00", "5000.01", "1000.01", "1000.00", "-3000.00", "999.99"]
    budget = ["10000.00", "10000.00", "100000.00", "100000.00", "0.00", "0.00", "10000.00", "10.00"]
    failing = failing_rows(threshold_frames(over, budget), knobs)
    # at the amount: no; a cent above (10 %): yes; exactly 5 %: no; a cent above: yes; no budget: amount only
    assert failing["over_budget"] == [1, 3, 4]
    assert failing["committed_over_budget"] == []


def test_thresholds_come_from_the_settings() -> None:
    lower = settings_with({**SETTINGS_SECTION, "drift": {"amount": "500.00", "percent": "4.9999"}})
    keys = set(compute_report(books(), lower).findings["key"])
    assert "over_budget:10:101:2" in keys  # 999.99 over a 20,000.00 budget: 4.99995 %
    assert "committed_over_budget:10:100:1" not in keys  # 500.00 is not above 500.00
    stricter = settings_with({**SETTINGS_SECTION, "drift": {"amount": "499.99", "percent": "4.7"}})
    assert "committed_over_budget:10:100:1" in set(compute_report(books(), stricter).findings["key"])


def test_every_open_exception_waits_even_on_a_project_not_in_xero() -> None:
    """The queue is listed as it is (what is out of scope the sync does not queue): a document of a
    project without a tracking option is held for that project, not left out of the count."""
    inputs = books()
    held = queued(3, "procore", "requisitions", "799", "project_not_synced", {"net_due": "250.00"})
    report = compute_report(
        replace(
            inputs,
            exceptions=(*inputs.exceptions, held),
            record_projects={**inputs.record_projects, ("procore", "requisitions", "799"): str(GAMMA)},
        ),
        SETTINGS,
    )
    waiting = report.waiting
    assert list(waiting["exception_id"]) == [1, 2, 3]
    assert list(waiting["amount"]) == [D("500.00"), D("0.00"), D("250.00")]
    assert (waiting["root_kind"].iloc[2], waiting["root_key"].iloc[2]) == ("project", str(GAMMA))
    assert report.money_held == D("750.00")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Acme = Concrete", "Acme = Concrete"),
        (D("-50.00"), "-50.00"),
        (D("1234.5"), "1234.50"),
        (3, "3"),
        (None, ""),
        (True, "yes"),
    ],
)
def test_csv_cells_cannot_carry_formulas(cell: object, written: str) -> None:
    assert neutralise(cell) == written
    (row,) = list(csv.reader(io.StringIO(write_csv(["a"], [[cell]]))))[1:]
    assert row == [written]


def parts(message_bytes: bytes) -> dict[str, list]:
    message = message_from_bytes(message_bytes, policy=policy.default)
    found: dict[str, list] = {}
    for part in message.walk():
        if not part.is_multipart():
            found.setdefault(part.get_content_type(), []).append(part)
    return found


def test_the_message_has_text_html_inline_chart_and_csvs_that_parse() -> None:
    report = compute_report(books(), SETTINGS, report_date=date(2026, 11, 21))
    rendered = render_report(
        report, recipients=["controller@example.com"], from_email="pxsync@example.com", ui_url="http://ui"
    )
    found = parts(bytes(rendered.message))
    (text,), (html,), (png,) = found["text/plain"], found["text/html"], found["image/png"]
    assert png.get_content().startswith(b"\x89PNG") and png["Content-ID"].strip("<>") in html.get_content()
    assert "<script" not in html.get_content().lower()
    assert "USD 5,994.44" in text.get_content() and "http://ui/required_actions" in text.get_content()
    csvs = {part.get_filename(): part.get_content() for part in found["text/csv"]}
    findings = list(csv.DictReader(io.StringIO(csvs["drift-findings-2026-11-21.csv"])))
    assert [row["key"] for row in findings] == list(report.findings["key"])
    billed = next(row for row in findings if row["rule"] == "billed_differently")
    assert billed["subject"] == "SC-001 =Evil Concrete" and billed["difference"] == "50.00"
    budget = list(csv.DictReader(io.StringIO(csvs["budget-vs-actuals-2026-11-21.csv"])))
    alpha = [row for row in budget if row["project"] == "25-101 Alpha"]
    assert sum(D(row["revised_budget"]) for row in alpha) == D("30500.00")


def test_a_subject_starting_with_a_formula_is_neutralised_in_the_csv() -> None:
    commitments = books().procore["commitments"].copy()
    commitments["number"] = ["=1+1", "SC-002", "SC-003"]
    procore = {**books().procore, "commitments": commitments}
    rendered = render_report(
        compute_report(books(procore=procore), SETTINGS), recipients=[], from_email="a@b", ui_url="http://ui"
    )
    assert "'=1+1 =Evil Concrete" in rendered.findings_csv


def test_no_findings_is_an_all_reconciled_mail() -> None:
    consistent = books(
        job_costs=pd.DataFrame([job_cost(ALPHA, 100, 1, "10000.00", "10000.00", "USD")]),
        bill_links={"701": link("701", "b1"), "703": link("703", "b3")},
        exceptions=(),
    )
    requisitions = consistent.procore["requisitions"]
    procore = {**consistent.procore, "requisitions": requisitions[requisitions["id"] != 702]}
    report = compute_report(replace(consistent, procore=procore), SETTINGS, report_date=date(2026, 11, 21))
    assert report.reconciled and report.money_at_stake == D("0.00")
    assert report.subject() == "Procore ↔ Xero 2026-11-21: all reconciled (Test Builders)"
    rendered = render_report(report, recipients=["c@example.com"], from_email="a@b", ui_url="http://ui")
    assert RECONCILED in rendered.text and "All reconciled." in rendered.html
    assert rendered.findings_csv.splitlines()[1:] == []


def test_stale_job_cost_figures_are_flagged() -> None:
    old = books(figures_at=SYNCED_AT)
    report = compute_report(old, SETTINGS, report_date=date(2026, 11, 21))
    rendered = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui")
    assert report.stale_figures and "WARNING: the job-cost figures" in rendered.text


def test_new_since_the_last_report(tmp_path: Path) -> None:
    first = compute_report(books(), SETTINGS, report_date=date(2026, 11, 20))
    assert not first.findings["new"].any()  # no earlier report: nothing is called new
    save_keys(tmp_path, date(2026, 11, 20), first.findings)
    bills = books().xero["invoices"].to_dict("records")
    bills[2]["Total"] = D("9100.00")  # Beta's bill now differs too
    previous = previous_keys(tmp_path, date(2026, 11, 21))
    assert previous[0] == date(2026, 11, 20)
    second = compute_report(
        books(xero={**books().xero, "invoices": records_frame(bills)}),
        SETTINGS,
        report_date=date(2026, 11, 21),
        previous=previous,
    )
    new = second.findings[second.findings["new"].astype(bool)]
    assert list(new["key"]) == ["billed_differently:502"] and second.new_findings == 1
    assert previous_keys(tmp_path, date(2026, 11, 20)) == (None, None)


def test_settings_reject_thresholds_gx_cannot_compare_exactly() -> None:
    with pytest.raises(ValueError, match="4 decimals"):
        DriftSettings.from_settings(settings_with({"drift": {"percent": "5.00001"}}))


def test_html_escapes_what_people_typed() -> None:
    commitments = books().procore["commitments"].copy()
    commitments["vendor"] = [
        {"company": "<script>alert(1)</script> & Sons"},
        {"company": "B"},
        {"company": "C"},
    ]
    report = compute_report(books(procore={**books().procore, "commitments": commitments}), SETTINGS)
    html = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui").html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in html


def test_books_with_nothing_synced_yet_render_as_reconciled() -> None:
    empty = pd.DataFrame()
    nothing = books(
        procore={name: empty for name in books().procore},
        xero={name: empty for name in books().xero},
        job_costs=empty,
        project_options={},
        bill_links={},
        exceptions=(),
        record_projects={},
        figures_at=None,
    )
    report = compute_report(nothing, SETTINGS, report_date=date(2026, 11, 21))
    assert report.reconciled and report.totals.empty and report.budget.empty
    rendered = render_report(report, recipients=["c@example.com"], from_email="a@b", ui_url="http://ui")
    assert rendered.chart_png.startswith(b"\x89PNG") and "WARNING" in rendered.text  # no job costs yet


def test_headline_figures_agree_with_the_tables_they_summarise() -> None:
    report = compute_report(books(), SETTINGS, report_date=date(2026, 11, 21))
    rendered = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui")
    rows = list(csv.DictReader(io.StringIO(rendered.findings_csv)))
    drift = [row for row in rows if row["rule"] != "waiting_in_queue"]
    largest: dict[str, D] = {}
    for row in drift:
        largest[row["entity"]] = max(largest.get(row["entity"], D("0")), D(row["at_stake_base"]))
    held = sum((D(row["at_stake_base"]) for row in rows if row["rule"] == "waiting_in_queue"), D("0.00"))
    assert sum(largest.values(), D("0.00")) == report.money_at_stake == D("5994.44")
    assert held == report.money_held == D("500.00")
    assert len(rows) == len(report.findings) == 6
    flagged = report.totals[report.totals["findings"] > 0]
    assert report.projects_in_drift == len(flagged) == 2
    assert sum(flagged["at_stake_base"], D("0.00")) == report.money_at_stake  # no finding outside projects
    assert sum(report.totals["held_base"], D("0.00")) == report.money_held
    text = rendered.text
    assert "Projects in drift: 2 of 2 synced" in text and "Drift at stake: USD 5,994.44" in text
    assert "Held in the exception queue: USD 500.00" in text
    assert (
        "Waiting in the exception queue: 2 (1 for your approval)  (every open exception of the tenant, "
        'as the exceptions page lists them; 1 project(s) not at the "Send to Xero" stage are not sent by '
        "design (0 finalised documents, listed below): neither sent nor queued" in text
    )
    assert (
        "Not sent by design (projects not at the send stage)\n  25-103 Gamma ((no stage)): 0 commitment(s)"
        in text
    )


def test_findings_link_to_their_records_on_the_configured_hosts() -> None:
    hosts = RecordLinks.from_api_hosts("https://api.procore.com/", "https://api.xero.com")
    links = compute_report(books(), SETTINGS, links=hosts).findings.set_index("key")
    assert links.at["over_budget:10:100:1", "procore_link"] == "https://app.procore.com/projects/10/budgeting"
    assert links.at["billed_differently:501", "procore_link"] == (
        "https://app.procore.com/10/project/commitments/work_order_contracts/501"
    )
    edited = links.loc["edited_in_xero:requisitions:702"]
    assert edited["procore_link"] == (
        "https://app.procore.com/10/project/commitments/work_order_contracts/501/requisitions/702"
    )
    assert edited["xero_link"] == "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=b2"
    sandbox = RecordLinks.from_api_hosts("http://127.0.0.1:8701", "http://127.0.0.1:8702")
    assert sandbox.xero_record("bank_transactions", "bt/1?x") == (
        "http://127.0.0.1:8702/Bank/ViewTransaction.aspx?bankTransactionID=bt%2F1%3Fx"
    )
    assert list(compute_report(books(), SETTINGS).findings["procore_link"]) == [None] * 6  # no hosts
    report = compute_report(books(), SETTINGS, links=hosts)
    html = render_report(report, recipients=[], from_email="a@b", ui_url="http://ui").html
    assert 'href="https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=b2"' in html


def test_amounts_the_sync_wrote_plainly_are_shown_as_money() -> None:
    text = "Xero PO PO-0006 (Pioneer , 5000000.00): total 5000000.00 is above the remaining budget 7109.86;"
    assert labelled_amounts(text, "USD") == (
        "Xero PO PO-0006 (Pioneer , USD 5,000,000.00): total USD 5,000,000.00 is above the remaining "
        "budget USD 7,109.86;"
    )
    assert labelled_amounts("v1.2.30 and 1,234.56 stay", "USD") == "v1.2.30 and 1,234.56 stay"


def test_the_chart_shows_each_cost_code_over_budget_with_its_overrun() -> None:
    report = compute_report(books(), SETTINGS)
    codes = flagged_codes(report)
    assert list(codes["code"]) == ["03-300-S", "03-300-S"]
    assert list(codes["project"]) == ["25-102 Beta", "25-101 Alpha"]  # most over budget first
    beta = codes.iloc[0]
    assert (beta["budget_base"], beta["figure_base"], beta["over_base"]) == (
        D("37037.04"),
        D("41481.48"),
        D("4444.44"),
    )
    assert list(codes["measured"]) == ["actual", "actual"]
