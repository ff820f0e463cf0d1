"""The nightly budget-vs-actuals drift report: computed from staging, checked with Great Expectations,
rendered as an e-mail (text + HTML, chart, CSVs) for the controller.

Heavy (pandas, GX inside the checks, matplotlib inside the chart): import it inside tasks only.
"""

from procore_xero.reports.files import ReportFiles, make_report, time_report, write_report_files
from procore_xero.reports.message import RenderedReport, render_report
from procore_xero.reports.report import DriftReport, build_report
from procore_xero.reports.settings import DriftSettings

__all__ = [
    "DriftReport",
    "DriftSettings",
    "RenderedReport",
    "ReportFiles",
    "build_report",
    "make_report",
    "render_report",
    "time_report",
    "write_report_files",
]
