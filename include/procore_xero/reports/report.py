"""The drift report for one tenant: read staging, compute the frames, run the rules, rank the findings.

``build_report`` is what the DAG, the demo and the benchmark call; it only reads staging. Phase timings are
kept on the report (``timings``) for ``make bench``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import Engine

from procore_xero.mapping.settings import Settings
from procore_xero.reports.budget import budget_rows
from procore_xero.reports.by_design import not_sent_rows
from procore_xero.reports.checks import failing_rows, gx_frames
from procore_xero.reports.commitments import commitment_rows, invoice_rows
from procore_xero.reports.documents import document_rows
from procore_xero.reports.findings import collect, money_at_stake, money_held, queued_only
from procore_xero.reports.frames import records
from procore_xero.reports.inputs import DriftInputs, read_inputs
from procore_xero.reports.links import NO_LINKS, Linker, RecordLinks
from procore_xero.reports.scope import company_name, latest_rates, projects_in_scope
from procore_xero.reports.settings import DriftSettings
from procore_xero.reports.totals import project_totals
from procore_xero.reports.waiting import root_rows, waiting_rows
from procore_xero.staging import TenantKey


@dataclass(frozen=True)
class DriftReport:
    """Every frame the renderers need; ``findings`` ranked by money at stake (base currency)."""

    company: str
    tenant: TenantKey
    report_date: date
    base_currency: str
    settings: DriftSettings
    projects: pd.DataFrame
    budget: pd.DataFrame
    commitments: pd.DataFrame
    documents: pd.DataFrame
    waiting: pd.DataFrame
    findings: pd.DataFrame
    totals: pd.DataFrame
    rates: Mapping[str, Decimal]
    figures_at: datetime | None
    previous_date: date | None
    not_sent: pd.DataFrame  # one row per project not sent by design (``reports.by_design``)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def money_at_stake(self) -> Decimal:
        """Drift at stake (base currency): what the two systems disagree on, each cost code, commitment
        and document once; the queue's held amounts are not in it (``money_held``)."""
        return money_at_stake(self.findings)

    @property
    def money_held(self) -> Decimal:
        """What the records waiting in the exception queue hold back (base currency)."""
        return money_held(self.findings)

    @property
    def projects_in_drift(self) -> int:
        """Synced projects with at least one finding: the flagged rows of the projects table."""
        return int((self.totals["findings"] > 0).sum()) if len(self.totals) else 0

    @property
    def findings_outside_projects(self) -> int:
        """Findings not tied to a synced project (a Xero record without project tracking, say)."""
        synced = set(self.projects["project_id"])
        return int((~self.findings["project_id"].isin(synced)).sum()) if len(self.findings) else 0

    @property
    def drift_findings(self) -> int:
        return len(self.findings) - len(queued_only(self.findings))

    @property
    def queue_roots(self) -> pd.DataFrame:
        """The vendors and projects queued records wait on, one row each (``waiting.root_rows``)."""
        return root_rows(self.waiting)

    @property
    def documents_not_sent(self) -> int:
        """Finalised documents of the projects not sent by design."""
        if not len(self.not_sent):
            return 0
        return int(self.not_sent[["commitments", "invoices", "owner_invoices"]].to_numpy().sum())

    @property
    def new_findings(self) -> int:
        return int(self.findings["new"].sum()) if len(self.findings) else 0

    @property
    def reconciled(self) -> bool:
        return self.findings.empty

    @property
    def awaiting_decision(self) -> int:
        return int(self.waiting["approvable"].sum()) if len(self.waiting) else 0

    @property
    def stale_figures(self) -> bool:
        """The job-cost figures are older than the settings allow at the end of the report's day (the
        job_costs DAG has not run since)."""
        if self.figures_at is None:
            return True
        at = self.figures_at if self.figures_at.tzinfo else self.figures_at.replace(tzinfo=UTC)
        age = datetime.combine(self.report_date, datetime.max.time(), UTC) - at
        return age.total_seconds() > self.settings.stale_after_hours * 3600

    def subject(self) -> str:
        day = self.report_date.isoformat()
        if self.reconciled:
            return f"Procore ↔ Xero {day}: all reconciled ({self.company})"
        amount = f"{self.base_currency} {self.money_at_stake:,.2f}"
        return (
            f"Procore ↔ Xero drift {day}: {len(self.findings)} finding(s), {amount} drift at stake, "
            f"{self.projects_in_drift} project(s) ({self.company})"
        )


def build_report(
    engine: Engine,
    tenant: TenantKey,
    settings: Settings,
    *,
    report_date: date | None = None,
    base_currency: str | None = None,
    previous: tuple[date | None, set[str] | None] = (None, None),
    links: RecordLinks = NO_LINKS,
) -> DriftReport:
    """The report as of now's staging; ``settings`` is the tenant's ``settings:`` section; ``previous``:
    the last report's date and finding keys (``history.previous_keys``) to mark what is new; ``links``:
    the web hosts each finding links its records to."""
    timings: dict[str, float] = {}
    with _timed(timings, "read"):
        inputs = read_inputs(engine, tenant, base_currency)
    return compute_report(
        inputs, settings, report_date=report_date, previous=previous, timings=timings, links=links
    )


def compute_report(
    inputs: DriftInputs,
    settings: Settings,
    *,
    report_date: date | None = None,
    previous: tuple[date | None, set[str] | None] = (None, None),
    timings: dict[str, float] | None = None,
    links: RecordLinks = NO_LINKS,
) -> DriftReport:
    """Everything after reading: frames, GX checks, ranked findings, project totals."""
    timings = {} if timings is None else timings
    knobs = DriftSettings.from_settings(settings)
    with _timed(timings, "compute"):
        projects = projects_in_scope(inputs)
        budget = budget_rows(inputs, knobs, projects)
        invoices = invoice_rows(inputs, knobs)
        commitments = commitment_rows(inputs, knobs, projects, invoices)
        documents = document_rows(inputs, knobs, projects)
        invoice_commitments = dict(zip(invoices["requisition_id"], invoices["commitment_id"], strict=True))
        waiting = waiting_rows(inputs, invoice_commitments)
        not_sent = not_sent_rows(inputs, knobs)
        rates = latest_rates(inputs)
    frames = {"budget": budget, "commitments": commitments, "documents": documents}
    with _timed(timings, "validate"):
        failing = failing_rows(gx_frames(budget, commitments, documents), knobs)
    with _timed(timings, "rank"):
        linker = Linker(
            links,
            {str(c["id"]): str(c["kind"]) for c in records(inputs.procore["commitments"])},
            {r: c for r, c in invoice_commitments.items() if c is not None},
            {str(i["InvoiceID"]).lower(): str(i.get("Type")) for i in records(inputs.xero["invoices"])},
        )
        findings = collect(
            frames, failing, waiting, projects, rates, inputs.base_currency, previous[1], linker
        )
        totals = project_totals(projects, budget, commitments, findings, rates)
    return DriftReport(
        company=company_name(inputs),
        tenant=inputs.tenant,
        report_date=report_date or datetime.now(UTC).date(),
        base_currency=inputs.base_currency,
        settings=knobs,
        projects=projects,
        budget=budget,
        commitments=commitments,
        documents=documents,
        waiting=waiting,
        findings=findings,
        totals=totals,
        rates=rates,
        figures_at=inputs.figures_at,
        previous_date=previous[0],
        not_sent=not_sent,
        timings=timings,
    )


@contextmanager
def _timed(timings: dict[str, float], phase: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[phase] = round(time.perf_counter() - start, 3)
