"""The report as files (``make demo`` writes them to ``out/``) and timed (``make bench``): no mail sent."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from email import policy
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from procore_xero.mapping.settings import Settings
from procore_xero.reports.links import NO_LINKS, RecordLinks
from procore_xero.reports.message import RenderedReport, render_report
from procore_xero.reports.report import DriftReport, build_report
from procore_xero.reports.settings import DEFAULT_UI, DriftSettings
from procore_xero.reports.summary import attachment_names
from procore_xero.staging import TenantKey


@dataclass(frozen=True)
class ReportFiles:
    """Where each part was written."""

    eml: Path
    html: Path
    text: Path
    chart: Path
    findings_csv: Path
    budget_csv: Path

    def paths(self) -> list[Path]:
        return [self.eml, self.html, self.text, self.chart, self.findings_csv, self.budget_csv]


def _settings(settings: Any) -> Settings:
    """The ``settings:`` section, given either it or the whole ``MappingSpec``."""
    return settings.settings if hasattr(settings, "settings") else settings


def make_report(
    engine: Engine,
    tenant: TenantKey,
    settings: Any,
    *,
    report_date: date | None = None,
    base_currency: str | None = None,
    ui_url: str = DEFAULT_UI,
    previous: tuple[date | None, set[str] | None] = (None, None),
    links: RecordLinks = NO_LINKS,
) -> tuple[DriftReport, RenderedReport]:
    """Build and render: what the DAG sends and the demo writes; ``links``: the web hosts of Procore and
    Xero (``RecordLinks.from_api_hosts`` on the connections' hosts)."""
    section = _settings(settings)
    knobs = DriftSettings.from_settings(section)
    report = build_report(
        engine,
        tenant,
        section,
        report_date=report_date,
        base_currency=base_currency,
        previous=previous,
        links=links,
    )
    start = time.perf_counter()
    rendered = render_report(report, recipients=knobs.recipients, from_email=knobs.from_email, ui_url=ui_url)
    report.timings["render"] = round(time.perf_counter() - start, 3)
    return report, rendered


def write_report_files(
    engine: Engine,
    tenant: TenantKey,
    settings: Any,
    out_dir: Path,
    *,
    report_date: date | None = None,
    base_currency: str | None = None,
    ui_url: str = DEFAULT_UI,
    links: RecordLinks = NO_LINKS,
) -> ReportFiles:
    """Write the message (``drift-report-<date>.eml``), its HTML and text, the chart PNG and both CSVs into
    ``out_dir``; ``settings`` is the tenant's ``MappingSpec`` or its ``settings:`` section."""
    report, rendered = make_report(
        engine,
        tenant,
        settings,
        report_date=report_date,
        base_currency=base_currency,
        ui_url=ui_url,
        links=links,
    )
    return save_report(report, rendered, out_dir)


def save_report(report: DriftReport, rendered: RenderedReport, out_dir: Path) -> ReportFiles:
    """Write a rendered report's parts into ``out_dir`` (see ``write_report_files``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    day, names = report.report_date.isoformat(), attachment_names(report)
    files = ReportFiles(
        eml=out_dir / f"drift-report-{day}.eml",
        html=out_dir / f"drift-report-{day}.html",
        text=out_dir / f"drift-report-{day}.txt",
        chart=out_dir / names.chart,
        findings_csv=out_dir / names.findings_csv,
        budget_csv=out_dir / names.budget_csv,
    )
    files.eml.write_bytes(rendered.message.as_bytes(policy=policy.SMTP))
    files.html.write_text(_standalone(rendered.html, names.chart), encoding="utf-8")
    files.text.write_text(rendered.text, encoding="utf-8")
    files.chart.write_bytes(rendered.chart_png)
    files.findings_csv.write_text(rendered.findings_csv, encoding="utf-8", newline="")
    files.budget_csv.write_text(rendered.budget_csv, encoding="utf-8", newline="")
    return files


def _standalone(html: str, chart_file: str) -> str:
    """The HTML for a browser: the chart's ``cid:`` reference points at the PNG beside it."""
    return re.sub(r'src="cid:[^"]+"', f'src="{chart_file}"', html)


def time_report(engine: Engine, tenant: TenantKey, settings: Any, **options: Any) -> dict[str, Any]:
    """Seconds per phase (read, compute, validate, rank, render) and the sizes, for ``make bench``."""
    start = time.perf_counter()
    report, rendered = make_report(engine, tenant, settings, **options)
    return {
        "seconds": round(time.perf_counter() - start, 3),
        "phases": dict(report.timings),
        "projects": len(report.projects),
        "budget_rows": len(report.budget),
        "commitments": len(report.commitments),
        "documents": len(report.documents),
        "findings": len(report.findings),
        "message_bytes": len(rendered.message.as_bytes(policy=policy.SMTP)),
    }
