"""Run the drift rules (``rules.RULES``) with Great Expectations and return the rows each one fails.

Through the shared runner (``gx_runner``): one ephemeral context per report, one suite per frame, each
check tagged with its rule so the results map back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.gx_runner import Check, CheckNotRun, GxRun
from procore_xero.reports.money import cents, ppm_over
from procore_xero.reports.rules import RULES, DriftRule, Threshold
from procore_xero.reports.settings import DriftSettings

ROW_KEY = "row_key"


class DriftCheckError(RuntimeError):
    """GX could not evaluate a rule: a report built on a check that did not run would be wrong."""


def gx_frames(budget: pd.DataFrame, commitments: pd.DataFrame, documents: pd.DataFrame) -> dict[str, Any]:
    """What GX sees per frame: the row position as key, money as integer cents, overruns in ppm."""
    return {
        "budget": _keyed(
            budget,
            {
                "actual_over_cents": budget["actual_over_budget"].map(cents),
                "actual_over_ppm": _ppm(budget["actual_over_budget"], budget["revised_budget"]),
                "committed_over_cents": budget["committed_over_budget"].map(cents),
                "committed_over_ppm": _ppm(budget["committed_over_budget"], budget["revised_budget"]),
            },
        ),
        "commitments": _keyed(
            commitments,
            {
                "procore_invoiced_cents": commitments["procore_invoiced"].map(cents),
                "xero_billed_cents": commitments["xero_billed"].map(cents),
            },
        ),
        "documents": _keyed(
            documents,
            {name: documents[name].astype(bool) for name in ("edited_in_xero", "edited_in_procore")},
        ),
    }


def _keyed(frame: pd.DataFrame, columns: Mapping[str, pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame({ROW_KEY: [str(i) for i in range(len(frame))]})
    for name, values in columns.items():
        values = values.reset_index(drop=True)
        out[name] = values if values.dtype == bool else values.astype("Int64")
    return out


def _ppm(over: pd.Series, budget: pd.Series) -> pd.Series:
    return pd.Series([ppm_over(o, b) for o, b in zip(over, budget, strict=True)], index=over.index)


def failing_rows(frames: Mapping[str, pd.DataFrame], settings: DriftSettings) -> dict[str, list[int]]:
    """Rule reason -> positions (in its frame) of the rows it fails."""
    run = GxRun("pxsync_drift")
    failing: dict[str, list[int]] = {rule.reason: [] for rule in RULES}
    for name, frame in frames.items():
        checks = [_check(rule, index, settings) for index, rule in enumerate(RULES) if rule.frame == name]
        if frame.empty or not checks:
            continue
        try:
            suite = run.check(f"drift_{name}", frame, checks, key_column=ROW_KEY, batch="report")
        except CheckNotRun as error:
            reason = RULES[error.meta["rule"]].reason
            raise DriftCheckError(f"drift rule {reason} failed to run: {error.exception_info}") from error
        for check in suite.checks:
            if not check.success:
                failing[RULES[check.meta["rule"]].reason] = sorted(int(key) for key in check.failing_keys)
    return failing


def _check(rule: DriftRule, index: int, settings: DriftSettings) -> Check:
    """The rule as a check, its thresholds read from the settings; ``meta`` maps results back to it."""
    kwargs = {k: getattr(settings, v.name) if isinstance(v, Threshold) else v for k, v in rule.kwargs.items()}
    above = None
    if rule.when_above is not None:
        column, threshold = rule.when_above
        above = (column, getattr(settings, threshold.name))
    return Check(rule.expectation, kwargs, meta={"rule": index, "reason": rule.reason}, above=above)
