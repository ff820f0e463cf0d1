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


def headline(report: DriftReport) -> list[tuple[str, str, str]]:
    """(label, value, what it counts) for the top of the mail; each agrees with a table below it."""
    base = report.base_currency
    if report.previous_date is None:
        new = "n/a (no earlier report)"
    else:
        new = f"{report.new_findings} (since {report.previous_date.isoformat()})"
    outside = report.findings_outside_projects
    return [
        (
            "Projects in drift",
            f"{report.projects_in_drift} of {len(report.projects)} synced",
            "synced projects with at least one finding: the rows marked in the projects table"
            + (f"; {outside} more finding(s) belong to no synced project" if outside else ""),
        ),
        (
            "Drift at stake",
            show(report.money_at_stake, base),
            f"what Procore and Xero disagree on ({report.drift_findings} findings): amounts over budget, "
            "billing differences and edited documents, each cost code, commitment and document once",
        ),
        (
            "Held in the exception queue",
            show(report.money_held, base),
            f"what the {len(report.waiting)} queued records hold back; not part of the drift at stake",
        ),
        ("Findings", str(len(report.findings)), "every row of the findings table and CSV"),
        ("New since the last report", new, "findings whose key the last report did not have"),
        ("Waiting in the exception queue", queue_count(report), queue_explained(report)),
        *roots_headline(report),
    ]


def roots_headline(report: DriftReport) -> list[tuple[str, str, str]]:
    """ "27 vendor(s), 1 project(s)": what most of the queue waits on, when records wait on one."""
    roots = report.queue_roots
    if not len(roots):
        return []
    kinds = list(roots["root_kind"])
    held = int(roots["records"].sum())
    return [
        (
            "Waiting on a vendor or project",
            f"{kinds.count('vendor')} vendor(s), {kinds.count('project')} project(s)",
            f"{held} of the queued records wait on one of them, {show(total(roots['documents_total']))} in "
            "documents: fixing one releases all its records (listed below)",
        )
    ]


def root_lines(report: DriftReport) -> list[str]:
    """One line per vendor or project the queue waits on, as the mail's text and HTML both list them."""
    return [
        f"{row['root_kind']} {row['root_label']}: {row['records']} record(s), "
        f"{show(row['documents_total'])} in documents"
        for row in report.queue_roots.to_dict("records")
    ]


def queue_count(report: DriftReport) -> str:
    return f"{len(report.waiting)} ({report.awaiting_decision} for your approval)"


def queue_explained(report: DriftReport) -> str:
    """The one explanation of the queue count, in the mail and on the demo's console alike."""
    return (
        "every open exception of the tenant, as the exceptions page lists them; "
        f'{len(report.not_sent)} project(s) not at the "{report.settings.send_stage}" stage are not sent '
        f"by design ({report.documents_not_sent} finalised documents, listed below): neither sent nor queued"
    )


def by_rule(report: DriftReport) -> Iterator[tuple[str, int, str]]:
    """(title, findings, money in base currency: "at stake" for drift rules, "held" for the queue) per rule
    that found something."""
    for reason in [*(rule.reason for rule in RULES), WAITING]:
        rows = report.findings[report.findings["rule"] == reason] if len(report.findings) else report.findings
        if len(rows):
            kind = "held" if reason == WAITING else "at stake"
            yield (
                TITLES[reason],
                len(rows),
                f"{show(total(rows['at_stake_base']), report.base_currency)} {kind}",
            )


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
        + "; the drift total counts each cost code, commitment and document once; held amounts are "
        "counted apart from it.",
        f"Xero actuals are the job-cost figures computed {figures} (job_costs DAG); Procore figures are "
        "as last extracted to staging. A Xero document in another currency than its project's counts in "
        "no job cost (it waits as currency_mismatch), it is not converted.",
    ]
    if report.stale_figures:
        lines.insert(0, f"WARNING: the job-cost figures ({figures}) are older than the report allows.")
    missing = sorted({c for c in report.projects["currency"] if c not in report.rates})
    if missing:
        lines.append(f"No Xero rate for {', '.join(missing)}: those amounts are counted unconverted.")
    return lines
