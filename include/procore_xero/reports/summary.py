"""What the mail says, as plain data both renderers (text and HTML) lay out: headline, rules, top findings,
projects, and the footnotes that make the figures checkable (thresholds, rates, data age)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from procore_xero.reports.frames import total
from procore_xero.reports.money import show
from procore_xero.reports.report import DriftReport
from procore_xero.reports.rules import RULES, TITLES, WAITING

RECONCILED = (
    "No budget drift above the thresholds, Procore invoiced equals Xero billed on every commitment, "
    "no synced document changed on one side, nothing waits in the exception queue."
)


@dataclass(frozen=True)
class Attachments:
    chart: str
    findings_csv: str
    budget_csv: str


def attachment_names(report: DriftReport) -> Attachments:
    day = report.report_date.isoformat()
    return Attachments(f"drift-chart-{day}.png", f"drift-findings-{day}.csv", f"budget-vs-actuals-{day}.csv")


def required_actions_url(ui_url: str) -> str:
    """Airflow's Required Actions page, filtered to what still waits for an answer."""
    return f"{ui_url.rstrip('/')}/required_actions?response_received=false"


def title(report: DriftReport) -> str:
    return f"Procore ↔ Xero drift report · {report.company} · {report.report_date.isoformat()}"


def headline(report: DriftReport) -> list[tuple[str, str]]:
    """(label, value) pairs for the top of the mail."""
    base = report.base_currency
    if report.previous_date is None:
        new = "n/a (no earlier report)"
    else:
        new = f"{report.new_findings} (since {report.previous_date.isoformat()})"
    return [
        ("Projects in drift", f"{report.projects_in_drift} of {len(report.projects)} synced"),
        ("Money at stake", show(report.money_at_stake, base)),
        ("Findings", str(len(report.findings))),
        ("New since the last report", new),
        (
            "Waiting in the exception queue",
            f"{len(report.waiting)} ({report.awaiting_decision} for your approval)",
        ),
    ]


def by_rule(report: DriftReport) -> Iterator[tuple[str, int, str]]:
    """(title, findings, money at stake in base currency) per rule that found something."""
    for reason in [*(rule.reason for rule in RULES), WAITING]:
        rows = report.findings[report.findings["rule"] == reason] if len(report.findings) else report.findings
        if len(rows):
            yield TITLES[reason], len(rows), show(total(rows["at_stake_base"]), report.base_currency)


def notes(report: DriftReport) -> list[str]:
    """Footnotes: thresholds, conversion, data age, what 'at stake' means."""
    knobs, base = report.settings, report.base_currency
    rates = ", ".join(f"{c} {r}" for c, r in sorted(report.rates.items()) if r != Decimal(1))
    figures = report.figures_at.strftime("%Y-%m-%d %H:%M UTC") if report.figures_at else "never"
    lines = [
        f"A budget drift is a finding when it is above {show(knobs.amount)} (project currency) and above "
        f"{knobs.percent}% of the revised budget; Procore invoiced and Xero billed must agree to the cent.",
        f"Money at stake is shown in {base}"
        + (f" at Xero's latest rates per {base} ({rates})" if rates else "")
        + "; the total counts each cost code, commitment and record once.",
        f"Xero actuals are the job-cost figures computed {figures} (job_costs DAG); Procore figures are "
        "as last extracted to staging.",
    ]
    if report.stale_figures:
        lines.insert(0, f"WARNING: the job-cost figures ({figures}) are older than the report allows.")
    missing = sorted({c for c in report.projects["currency"] if c not in report.rates})
    if missing:
        lines.append(f"No Xero rate for {', '.join(missing)}: those amounts are counted unconverted.")
    return lines
