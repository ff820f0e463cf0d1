"""Run the drift rules (``rules.RULES``) with Great Expectations and return the rows each one fails.

GX is imported inside the function: DAG parsing must not pay for it. One ephemeral context per report;
one suite per frame, each expectation tagged with its rule so the results map back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.reports.money import cents, ppm_over
from procore_xero.reports.rules import RULES, DriftRule, Threshold
from procore_xero.reports.settings import DriftSettings

ROW_KEY = "row_key"
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW_KEY],
    "return_unexpected_index_query": False,
}


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
    import great_expectations as gx

    context = _context()
    source = context.data_sources.add_pandas("pxsync_drift")
    failing: dict[str, list[int]] = {rule.reason: [] for rule in RULES}
    for name, frame in frames.items():
        rules = [(index, rule) for index, rule in enumerate(RULES) if rule.frame == name]
        if frame.empty or not rules:
            continue
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("report")
        suite = context.suites.add(gx.ExpectationSuite(name=f"drift_{name}"))
        for index, rule in rules:
            suite.add_expectation(_expectation(rule, index, settings))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"drift_{name}", data=batch, suite=suite)
        )
        result = definition.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
        for outcome in result.results:
            rule = RULES[outcome.expectation_config.meta["rule"]]
            if _raised(outcome.exception_info):
                raise DriftCheckError(f"drift rule {rule.reason} failed to run: {outcome.exception_info}")
            if not outcome.success:
                failing[rule.reason] = sorted(
                    int(r[ROW_KEY]) for r in outcome.result["unexpected_index_list"]
                )
    return failing


def _context() -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    return gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        ),
    )


def _expectation(rule: DriftRule, index: int, settings: DriftSettings) -> Any:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    kwargs = {k: getattr(settings, v.name) if isinstance(v, Threshold) else v for k, v in rule.kwargs.items()}
    if rule.when_above is not None:
        column, threshold = rule.when_above
        kwargs["row_condition"] = Column(column) > getattr(settings, threshold.name)
    return getattr(gxe, rule.expectation)(**kwargs, meta={"rule": index, "reason": rule.reason})


def _raised(exception_info: Mapping[str, Any]) -> bool:
    """GX reports errors flat for an expectation or per metric (a dict of such dicts)."""
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(isinstance(v, Mapping) and v.get("raised_exception") for v in exception_info.values())
