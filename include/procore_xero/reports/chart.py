"""The chart: revised budget, committed and Xero actual per project in the base currency, projects in drift
marked in red, bars over budget in red. Matplotlib's Agg canvas on a Figure (no pyplot global state, no
display); amounts become floats here only to be drawn."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from procore_xero.reports.report import DriftReport

MAX_PROJECTS = 30
BUDGET, COMMITTED, ACTUAL, OVER, DRIFT = "#9e9e9e", "#5c8ac7", "#2e7d32", "#c62828", "#c62828"


def chart_projects(report: DriftReport) -> pd.DataFrame:
    """Projects shown: those in drift first (largest money at stake first), then by budget; at most 30."""
    totals = report.totals.copy()
    totals["drift"] = totals["findings"].map(bool)
    totals["stake"] = totals["at_stake_base"].map(float)
    totals["size"] = totals["revised_budget_base"].map(float)
    ordered = totals.sort_values(["drift", "stake", "size"], ascending=False, kind="stable")
    return ordered.head(MAX_PROJECTS)


def render_chart(report: DriftReport) -> bytes:
    """The PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = chart_projects(report).iloc[::-1]  # the first shown at the top
    figure = Figure(figsize=(10, 1.8 + 0.42 * max(len(shown), 1)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    budget, committed, actual = (
        [float(v) for v in shown[name]]
        for name in ("revised_budget_base", "committed_base", "xero_actual_base")
    )
    rows = list(range(len(shown)))
    height = 0.26
    axes.barh([r + height for r in rows], budget, height, color=BUDGET)
    axes.barh(rows, committed, height, color=_colours(committed, budget, COMMITTED))
    axes.barh([r - height for r in rows], actual, height, color=_colours(actual, budget, ACTUAL))
    _mark_drift(axes, shown, [max(values) for values in zip(budget, committed, actual, strict=True)], report)
    axes.set_yticks(rows)
    axes.set_yticklabels([_label(p) for p in shown["project"]], fontsize=8)
    for tick, drift in zip(axes.get_yticklabels(), shown["drift"], strict=True):
        if drift:
            tick.set_color(DRIFT)
            tick.set_fontweight("bold")
    axes.xaxis.set_major_formatter(_short)
    axes.set_xlabel(f"{report.base_currency} (other currencies at Xero's latest rate)")
    axes.grid(axis="x", color="#e0e0e0")
    axes.set_axisbelow(True)
    axes.legend(handles=_legend(), loc="lower right", fontsize=8)
    more = len(report.totals) - len(shown)
    extra = f"; {more} more projects in the CSV" if more > 0 else ""
    axes.set_title(
        f"Budget vs committed vs actual per project (in drift: red, with money at stake){extra}", fontsize=10
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _colours(values: list[float], budget: list[float], normal: str) -> list[str]:
    return [OVER if value > limit else normal for value, limit in zip(values, budget, strict=True)]


def _mark_drift(axes: Any, shown: pd.DataFrame, ends: list[float], report: DriftReport) -> None:
    """Write the money at stake beside each project in drift (room made on the right)."""
    widest = max(ends, default=0.0) or 1.0
    axes.set_xlim(0, widest * 1.22)
    for row, (end, drift, stake) in enumerate(zip(ends, shown["drift"], shown["stake"], strict=True)):
        if drift:
            label = f"{_short(stake)} at stake" if stake else "findings"
            axes.text(end + widest * 0.01, row, label, va="center", fontsize=7, color=DRIFT)


def _legend() -> list[Any]:
    from matplotlib.patches import Patch

    return [
        Patch(color=BUDGET, label="Revised budget"),
        Patch(color=COMMITTED, label="Committed"),
        Patch(color=ACTUAL, label="Xero actual"),
        Patch(color=OVER, label="Above budget"),
    ]


def _short(value: float, _position: Any = None) -> str:
    return (
        f"{value / 1e6:,.1f}M"
        if abs(value) >= 1e6
        else f"{value / 1e3:,.0f}k"
        if abs(value) >= 1e3
        else f"{value:,.0f}"
    )


def _label(project: str, width: int = 42) -> str:
    return project if len(project) <= width else project[: width - 1] + "…"
