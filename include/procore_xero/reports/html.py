"""The HTML part: tables with inline CSS only (no stylesheet, no script), which mail clients render alike.
Every value from the data is escaped; the chart is referenced by its Content-ID."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from procore_xero.reports.by_design import describe
from procore_xero.reports.money import show
from procore_xero.reports.report import DriftReport
from procore_xero.reports.rules import WAITING
from procore_xero.reports.summary import (
    RECONCILED,
    attachment_names,
    by_rule,
    headline,
    notes,
    required_actions_url,
    root_lines,
    title,
)

FONT = "font-family:Arial,Helvetica,sans-serif;color:#222;"
CELL = "padding:4px 8px;border-bottom:1px solid #ddd;font-size:13px;vertical-align:top;"
NUM = CELL + "text-align:right;white-space:nowrap;"
HEAD = "padding:4px 8px;border-bottom:2px solid #555;font-size:12px;text-align:left;background:#f3f3f3;"
DRIFT = "background:#fdecea;"
TABLE = "border-collapse:collapse;margin:8px 0 16px 0;"
NOTE = "color:#666;font-size:12px;"


class Markup(str):
    """A cell already rendered as HTML (links built by ``_links``); every other cell is escaped."""


def _cell(text: str) -> str:
    return text if isinstance(text, Markup) else escape(text)


def _links(row: dict) -> Markup:
    """The finding's records in Procore and Xero as links (hrefs escaped, ids URL-quoted in links.py)."""
    anchors = [
        f'<a href="{escape(row[column])}" style="color:#1565c0;">{name}</a>'
        for name, column in (("Procore", "procore_link"), ("Xero", "xero_link"))
        if row[column]
    ]
    return Markup(" · ".join(anchors))


def _table(headers: Sequence[str], rows: Iterable[tuple[Sequence[tuple[str, bool]], bool]]) -> str:
    """``rows``: ((text, numeric) cells, highlighted); texts are escaped here unless ``Markup``."""
    head = (
        "<tr>" + "".join(f'<th style="{HEAD}">{escape(h)}</th>' for h in headers) + "</tr>" if headers else ""
    )
    body = "".join(
        f'<tr style="{DRIFT if marked else ""}">'
        + "".join(f'<td style="{NUM if numeric else CELL}">{_cell(text)}</td>' for text, numeric in cells)
        + "</tr>"
        for cells, marked in rows
    )
    return f'<table role="presentation" style="{TABLE}">{head}{body}</table>'


def render_html(report: DriftReport, ui_url: str, chart_cid: str | None) -> str:
    names, base = attachment_names(report), report.base_currency
    parts = [f'<h2 style="{FONT}font-size:18px;">{escape(title(report))}</h2>']
    if report.reconciled:
        parts.append(
            f'<p style="{FONT}font-size:15px;color:#1b5e20;"><b>All reconciled.</b> {escape(RECONCILED)}</p>'
        )
    parts.append(
        _table(
            [],
            (
                (
                    [
                        (label, False),
                        (value, True),
                        (Markup(f'<span style="{NOTE}">{escape(meaning)}</span>'), False),
                    ],
                    False,
                )
                for label, value, meaning in headline(report)
            ),
        )
    )
    if len(report.waiting):
        link = escape(required_actions_url(ui_url))
        parts.append(
            f'<p style="{FONT}font-size:13px;">Decide on held records: <a href="{link}">{link}</a></p>'
        )
    if not report.reconciled:
        rules = ((([(n, False), (str(c), True), (a, True)]), False) for n, c, a in by_rule(report))
        parts.append(_table(["Rule", "Findings", f"Money ({base})"], rules))
        top = report.findings.head(report.settings.top_findings)
        parts.append(
            f'<h3 style="{FONT}font-size:15px;">Top {len(top)} of {len(report.findings)} findings '
            f"(all in {escape(names.findings_csv)})</h3>"
        )
        rows = (
            (
                [
                    (str(r["rank"]), True),
                    ("new" if r["new"] else "", False),
                    (r["project"] or "", False),
                    (r["subject"], False),
                    (r["description"], False),
                    (_links(r), False),
                    (show(r["at_stake"], r["currency"]) + (" held" if r["rule"] == WAITING else ""), True),
                    (show(r["at_stake_base"], base), True),
                ],
                bool(r["new"]),
            )
            for r in top.to_dict("records")
        )
        parts.append(
            _table(["#", "", "Project", "What", "Finding", "Open in", "Amount", f"Amount ({base})"], rows)
        )
    if chart_cid:
        parts.append(
            f'<p><img src="cid:{escape(chart_cid)}" alt="Cost codes over budget, per project" '
            'style="max-width:100%;height:auto;" /></p>'
        )
    parts.append(
        f'<h3 style="{FONT}font-size:15px;">Projects (every cost code in {escape(names.budget_csv)})</h3>'
    )
    parts.append(_projects(report))
    if roots := root_lines(report):
        parts.append(f'<h3 style="{FONT}font-size:15px;">Waiting on one vendor or project</h3>')
        parts.append(_table([], (([(line, False)], False) for line in roots)))
    if len(report.not_sent):
        parts.append(
            f'<h3 style="{FONT}font-size:15px;">Not sent by design (projects not at the send stage)</h3>'
        )
        parts.append(
            _table([], (([(describe(r), False)], False) for r in report.not_sent.to_dict("records")))
        )
    parts += [f'<p style="{FONT}font-size:11px;color:#666;">{escape(line)}</p>' for line in notes(report)]
    return f'<html><body style="{FONT}">{"".join(parts)}</body></html>'


def _projects(report: DriftReport) -> str:
    headers = [
        "Project",
        "Currency",
        "Revised budget",
        "Committed",
        "Procore invoiced",
        "Retainage held",
        "Xero actual",
        f"Xero actual ({report.base_currency})",
        "Paid in Xero (subcontract bills)",
        "Findings",
        f"Drift at stake ({report.base_currency})",
        f"Held ({report.base_currency})",
    ]
    rows = (
        (
            [
                (r["project"], False),
                (r["currency"], False),
                *((show(r[name]), True) for name in _FIGURES),
                (str(r["findings"]), True),
                (show(r["at_stake_base"]), True),
                (show(r["held_base"]), True),
            ],
            bool(r["findings"]),
        )
        for r in report.totals.to_dict("records")
    )
    return _table(headers, rows)


_FIGURES = (
    "revised_budget",
    "committed",
    "procore_invoiced",
    "retainage_held",
    "xero_actual",
    "xero_actual_base",
    "xero_paid",
)
