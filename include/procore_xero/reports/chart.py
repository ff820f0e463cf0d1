"""The chart of what the report flags: cost codes over budget (the two budget rules), grouped by project, in
the base currency. One bar per code: the part within its revised budget in blue, the part above it in red,
so the red is exactly the amount over budget the findings table lists. Matplotlib's Agg canvas on a Figure
(no pyplot global state, no display); amounts become floats here only to be drawn."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.reports.money import to_base
from procore_xero.reports.report import DriftReport

MAX_CODES = 30
WITHIN, OVER = "#5c8ac7", "#c62828"
BUDGET_RULES = {"over_budget": "actual", "committed_over_budget": "committed"}
COLUMNS = ["project", "code", "measured", "budget_base", "figure_base", "over_base"]


def flagged_codes(report: DriftReport) -> pd.DataFrame:
    """One row per cost code a budget rule flagged, at its larger overrun: project, code, which figure
    (``measured``: actual / committed / both), revised budget, figure and overrun in the base currency;
    projects with the most over budget first, and within a project the largest overrun first."""
    findings = report.findings
    flagged = findings[findings["rule"].isin(list(BUDGET_RULES))] if len(findings) else findings
    rows = []
    for _, group in flagged.groupby("entity", sort=False):
        top = group.iloc[group["at_stake_base"].map(Decimal).argmax()]
        rate = report.rates.get(top["currency"], Decimal(1))
        measured = sorted(BUDGET_RULES[rule] for rule in group["rule"])
        rows.append(
            {
                "project": top["project"],
                "code": str(top["subject"]).split(" ", 1)[0],
                "measured": " and ".join(measured),
                "budget_base": to_base(top["baseline"], rate),
                "figure_base": to_base(top["amount"], rate),
                "over_base": top["at_stake_base"],
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(object)
    if frame.empty:
        return frame
    frame["project_over"] = frame.groupby("project")["over_base"].transform(lambda v: sum(v, Decimal(0)))
    frame = frame.sort_values(["project_over", "project", "over_base"], ascending=[False, True, False])
    return frame[COLUMNS].reset_index(drop=True)


def render_chart(report: DriftReport) -> bytes:
    """The PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    codes = flagged_codes(report)
    shown = codes.head(MAX_CODES).iloc[::-1]  # the first shown at the top
    figure = Figure(figsize=(10, 1.8 + 0.32 * max(len(shown), 1)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    if shown.empty:
        axes.text(0.5, 0.5, "No cost code over budget above the thresholds", ha="center", va="center")
        axes.set_axis_off()
    else:
        _bars(axes, shown, report.base_currency)
    more = len(codes) - len(shown)
    extra = f"; {more} more in the findings CSV" if more > 0 else ""
    projects = codes["project"].nunique() if len(codes) else 0
    axes.set_title(
        f"Cost codes over budget: {len(codes)} on {projects} project(s), in {report.base_currency}{extra}",
        fontsize=10,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(axes: Any, shown: pd.DataFrame, base: str) -> None:
    from matplotlib.patches import Patch

    rows = list(range(len(shown)))
    budgets = [float(b) for b in shown["budget_base"]]
    figures = [float(f) for f in shown["figure_base"]]
    over = [float(v) for v in shown["over_base"]]
    within = [max(0.0, min(f, b)) for f, b in zip(figures, budgets, strict=True)]
    ends = [w + o for w, o in zip(within, over, strict=True)]
    axes.barh(rows, within, 0.6, color=WITHIN)
    axes.barh(rows, over, 0.6, left=within, color=OVER)
    for row, (end, amount) in enumerate(zip(ends, over, strict=True)):
        axes.text(end, row, f" +{_short(amount)}", va="center", fontsize=7, color=OVER)
    axes.set_yticks(rows)
    labels = zip(shown["project"], shown["code"], shown["measured"], strict=True)
    axes.set_yticklabels([f"{_label(p)} · {c} ({m})" for p, c, m in labels], fontsize=7)
    widest = max(ends, default=1.0) or 1.0
    axes.set_xlim(0, widest * 1.15)
    axes.xaxis.set_major_formatter(_short)
    axes.set_xlabel(f"{base} (other currencies at Xero's latest rate)")
    axes.grid(axis="x", color="#e0e0e0")
    axes.set_axisbelow(True)
    axes.legend(
        handles=[
            Patch(color=WITHIN, label="Within the revised budget"),
            Patch(color=OVER, label="Over the revised budget"),
        ],
        loc="lower right",
        fontsize=8,
    )


def _short(value: float, _position: Any = None) -> str:
    return (
        f"{value / 1e6:,.1f}M"
        if abs(value) >= 1e6
        else f"{value / 1e3:,.0f}k"
        if abs(value) >= 1e3
        else f"{value:,.0f}"
    )


def _label(project: str, width: int = 34) -> str:
    return project if len(project) <= width else project[: width - 1] + "…"
