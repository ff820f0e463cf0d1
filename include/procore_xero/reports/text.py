"""The plain-text part: the same content as the HTML, readable in any client or terminal."""

from __future__ import annotations

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

LINKS = (("Procore", "procore_link"), ("Xero", "xero_link"))


def stake(row: dict) -> str:
    """The finding's money in its currency, and in the base currency when that differs; a queued
    record's money is "held", a drift finding's "at stake"."""
    kind = "held" if row["rule"] == WAITING else "at stake"
    own = show(row["at_stake"], row["currency"])
    if row["currency"] == row["base_currency"]:
        return f"{own} {kind}"
    return f"{own} ({show(row['at_stake_base'], row['base_currency'])}) {kind}"


def render_text(report: DriftReport, ui_url: str) -> str:
    names = attachment_names(report)
    lines = [title(report), ""]
    if report.reconciled:
        lines += [f"All reconciled. {RECONCILED}", ""]
    lines += [f"{label}: {value}  ({meaning})" for label, value, meaning in headline(report)]
    if len(report.waiting):
        lines.append(f"Decide on held records: {required_actions_url(ui_url)}")
    if not report.reconciled:
        lines += ["", "By rule"]
        lines += [f"  {name}: {count} · {amount}" for name, count, amount in by_rule(report)]
        top = report.findings.head(report.settings.top_findings)
        lines += ["", f"Top {len(top)} of {len(report.findings)} findings (all in {names.findings_csv})"]
        for row in top.to_dict("records"):
            marker = " [new]" if row["new"] else ""
            lines.append(
                f"{row['rank']:>4}.{marker} {row['project'] or '-'} · {row['subject']} · {stake(row)}"
            )
            lines.append(f"       {row['description']}")
            links = [f"{name} {row[column]}" for name, column in LINKS if row[column]]
            if links:
                lines.append(f"       {' · '.join(links)}")
    lines += ["", f"Projects (every cost code in {names.budget_csv})"]
    for row in report.totals.to_dict("records"):
        flag, money = "!" if row["findings"] else " ", row["currency"]
        lines.append(
            f"{flag} {row['project']}: revised budget {show(row['revised_budget'], money)}, "
            f"committed {show(row['committed'], money)}, "
            f"Procore invoiced {show(row['procore_invoiced'], money)}, "
            f"retainage held {show(row['retainage_held'], money)}, "
            f"Xero actual {show(row['xero_actual'], money)} "
            f"({show(row['xero_actual_base'], report.base_currency)}), "
            f"paid on subcontract bills {show(row['xero_paid'], money)}, findings {row['findings']}, "
            f"drift at stake {show(row['at_stake_base'], report.base_currency)}, "
            f"held {show(row['held_base'], report.base_currency)}"
        )
    if roots := root_lines(report):
        lines += ["", "Waiting on one vendor or project", *(f"  {line}" for line in roots)]
    if len(report.not_sent):
        lines += ["", "Not sent by design (projects not at the send stage)"]
        lines += [f"  {describe(row)}" for row in report.not_sent.to_dict("records")]
    lines += ["", *notes(report), ""]
    return "\n".join(lines)
