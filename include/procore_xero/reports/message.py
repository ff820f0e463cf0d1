"""The e-mail as a standard MIME message: text and HTML alternatives, the chart inline (related to the HTML
by Content-ID, so clients show it in place or as an attachment), the CSVs attached.

Built with the stdlib ``email`` package because the SMTP provider's own builder makes HTML-only messages;
the same bytes are sent and written as ``.eml`` for the demo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from procore_xero.reports.chart import render_chart
from procore_xero.reports.csv_files import budget_csv, findings_csv
from procore_xero.reports.html import render_html
from procore_xero.reports.report import DriftReport
from procore_xero.reports.summary import attachment_names
from procore_xero.reports.text import render_text


@dataclass(frozen=True)
class RenderedReport:
    """Every part of the report, rendered once: the message and its pieces for files and tests."""

    message: EmailMessage
    text: str
    html: str
    chart_png: bytes
    findings_csv: str
    budget_csv: str


def render_report(
    report: DriftReport, *, recipients: Sequence[str], from_email: str, ui_url: str
) -> RenderedReport:
    names = attachment_names(report)
    chart = render_chart(report)
    cid = make_msgid(domain="pxsync.drift")
    text = render_text(report, ui_url)
    html = render_html(report, ui_url, cid[1:-1])
    findings, budget = findings_csv(report), budget_csv(report)
    message = EmailMessage()
    message["Subject"] = report.subject()
    message["From"] = from_email
    message["To"] = ", ".join(recipients) if recipients else "undisclosed-recipients:;"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pxsync.drift")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    list(message.iter_parts())[1].add_related(
        chart, maintype="image", subtype="png", cid=cid, filename=names.chart, disposition="inline"
    )
    message.add_attachment(findings, subtype="csv", filename=names.findings_csv)
    message.add_attachment(budget, subtype="csv", filename=names.budget_csv)
    return RenderedReport(message, text, html, chart, findings, budget)
