"""The drift rules, as data: each names a built-in Great Expectations expectation over one of the report's
frames; the rows it fails are the report's findings. Thresholds come from the settings (``drift:``).

Plain data so this imports without GX; ``checks.py`` builds the expectations inside the task. Budget rules
judge only rows above the percentage threshold (a GX row condition) and fail those above the amount
threshold, so a finding is a drift above both. Money reaches GX as integer cents, percentages as parts per
million of the budget (rounded up), so every comparison is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Threshold:
    """An expectation argument taken from ``DriftSettings`` when the suite is built."""

    name: str  # an attribute of DriftSettings: amount_cents | percent_ppm


@dataclass(frozen=True)
class DriftRule:
    """``frame``: budget | commitments | documents; ``when_above``: (column, threshold) limiting the rows
    judged; ``title``: how the summary names the rule's findings."""

    reason: str
    frame: str
    expectation: str
    kwargs: Mapping[str, Any]
    title: str
    when_above: tuple[str, Threshold] | None = None


AMOUNT, PERCENT = Threshold("amount_cents"), Threshold("percent_ppm")


def _over_budget(reason: str, figure: str, title: str) -> DriftRule:
    return DriftRule(
        reason,
        "budget",
        "ExpectColumnValuesToBeBetween",
        {"column": f"{figure}_over_cents", "max_value": AMOUNT},
        title,
        when_above=(f"{figure}_over_ppm", PERCENT),
    )


def _untouched(column: str, title: str) -> DriftRule:
    return DriftRule(
        column, "documents", "ExpectColumnValuesToBeInSet", {"column": column, "value_set": [False]}, title
    )


RULES: tuple[DriftRule, ...] = (
    _over_budget("over_budget", "actual", "Cost codes where Xero actuals exceed the revised budget"),
    _over_budget("committed_over_budget", "committed", "Cost codes committed beyond the revised budget"),
    DriftRule(
        "billed_differently",
        "commitments",
        "ExpectColumnPairValuesToBeEqual",
        {"column_A": "procore_invoiced_cents", "column_B": "xero_billed_cents"},
        "Commitments where Procore invoiced and Xero billed differ",
    ),
    _untouched("edited_in_xero", "Synced documents changed in Xero since the sync wrote them"),
    _untouched("edited_in_procore", "Synced documents changed in Procore since the sync sent them"),
)
WAITING = "waiting_in_queue"  # not a drift rule: records the sync's own validation already holds
TITLES = {**{rule.reason: rule.title for rule in RULES}, WAITING: "Records waiting in the exception queue"}
