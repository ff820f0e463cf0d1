"""The plain-text part: the same content as the HTML, readable in any client or terminal."""

from __future__ import annotations

from procore_xero.reports.money import show
from procore_xero.reports.report import DriftReport
from procore_xero.reports.summary import (
    RECONCILED,
    attachment_names,
    by_rule,
    headline,
    notes,
    required_actions_url,
    title,
)


def render_text(report: DriftReport, ui_url: str) -> str:
    names = attachment_names(report)
    lines = [title(report), ""]
    if report.reconciled:
        lines += [f"All reconciled. {RECONCILED}", ""]
    lines += [f"{label}: {value}" for label, value in headline(report)]
    if len(report.waiting):
        lines.append(f"Decide on held records: {required_actions_url(ui_url)}")
    if not report.reconciled:
        lines += ["", "By rule"]
        lines += [f"  {name}: {count} · {amount} at stake" for name, count, amount in by_rule(report)]
        top = report.findings.head(report.settings.top_findings)
        lines += ["", f"Top {len(top)} of {len(report.findings)} findings (all in {names.findings_csv})"]
        for row in top.to_dict("records"):
            marker = " [new]" if row["new"] else ""
            lines.append(
                f"{row['rank']:>4}.{marker} {row['project'] or '-'} · {row['subject']} · "
                f"{show(row['at_stake_base'], row['base_currency'])}"
            )
            lines.append(f"       {row['description']}")
    lines += ["", f"Projects (every cost code in {names.budget_csv})"]
    for row in report.totals.to_dict("records"):
        flag = "!" if row["findings"] else " "
        lines.append(
            f"{flag} {row['project']} ({row['currency']}): revised budget {show(row['revised_budget'])}, "
            f"committed {show(row['committed'])}, Procore invoiced {show(row['procore_invoiced'])}, "
            f"retainage held {show(row['retainage_held'])}, Xero actual {show(row['xero_actual'])} "
            f"({show(row['xero_actual_base'], report.base_currency)}), "
            f"paid on subcontract bills {show(row['xero_paid'])}, findings {row['findings']}"
        )
    lines += ["", *notes(report), ""]
    return "\n".join(lines)
