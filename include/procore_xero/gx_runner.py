"""The one Great Expectations runner: validation suites and drift rules both check frames through it.

A ``GxRun`` is one ephemeral, in-memory context with one pandas data source; ``check`` runs a suite of
``Check``s over a DataFrame and returns, per check, the key of every row it fails. Callers keep their own
tables of rules and map results back through ``Check.meta``; what GX needs (context, data source, batch,
result format, error reporting) lives only here.

GX is imported inside the functions only: DAG files import the packages that use this while parsing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Check:
    """One expectation: GX's class name (``expect_column_values_to_be_between``), its keyword arguments,
    ``meta`` the caller reads back, and optionally a row condition ``column > value``."""

    expectation: str
    kwargs: Mapping[str, Any]
    meta: Mapping[str, Any]
    severity: str | None = None
    above: tuple[str, Any] | None = None


@dataclass(frozen=True)
class CheckResult:
    """What one check found: its ``meta`` and GX type, and the key of each failing row in GX's order."""

    meta: Mapping[str, Any]
    expectation_type: str
    success: bool
    failing_keys: tuple[str, ...]


@dataclass(frozen=True)
class SuiteRun:
    """Every check's result, and GX's own results as JSON (what the data team's results file keeps)."""

    checks: tuple[CheckResult, ...]
    raw: Any

    def as_json(self) -> dict[str, Any]:
        return self.raw.to_json_dict()


class CheckNotRun(RuntimeError):
    """GX could not evaluate a check: nothing may be decided on a check that did not run."""

    def __init__(self, meta: Mapping[str, Any], exception_info: Mapping[str, Any]) -> None:
        super().__init__(f"check {dict(meta)} failed to run: {exception_info}")
        self.meta = meta
        self.exception_info = exception_info


class GxRun:
    """One ephemeral GX context and pandas data source; each ``check`` adds one asset, suite and run."""

    def __init__(self, source_name: str) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        self._context = gx.get_context(
            mode="ephemeral",
            project_config=DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(),
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False),
            ),
        )
        self._source = self._context.data_sources.add_pandas(source_name)

    def check(
        self, name: str, frame: pd.DataFrame, checks: Sequence[Check], *, key_column: str, batch: str
    ) -> SuiteRun:
        """Run ``checks`` over ``frame`` as the suite ``name``; rows are reported by ``key_column``.

        Raises ``CheckNotRun`` if GX could not evaluate a check.
        """
        import great_expectations as gx

        definition = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(batch)
        suite = self._context.suites.add(gx.ExpectationSuite(name=name))
        for check in checks:
            suite.add_expectation(_expectation(check))
        validation = self._context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=definition, suite=suite)
        )
        result = validation.run(
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [key_column],
                "return_unexpected_index_query": False,
            },
        )
        return SuiteRun(tuple(_check_result(outcome, key_column) for outcome in result.results), result)


def _expectation(check: Check) -> Any:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    kwargs: dict[str, Any] = dict(check.kwargs)
    if check.above is not None:
        column, threshold = check.above
        kwargs["row_condition"] = Column(column) > threshold
    if check.severity is not None:
        kwargs["severity"] = check.severity
    return getattr(gxe, check.expectation)(**kwargs, meta=dict(check.meta))


def _check_result(outcome: Any, key_column: str) -> CheckResult:
    config = outcome.expectation_config
    if _raised(outcome.exception_info):
        raise CheckNotRun(config.meta, outcome.exception_info)
    failing = () if outcome.success else outcome.result["unexpected_index_list"]
    return CheckResult(
        meta=config.meta,
        expectation_type=config.type,
        success=bool(outcome.success),
        failing_keys=tuple(str(row[key_column]) for row in failing),
    )


def _raised(exception_info: Mapping[str, Any]) -> bool:
    """GX reports errors flat for an expectation or per metric (a dict of such dicts)."""
    if "raised_exception" in exception_info:
        return bool(exception_info["raised_exception"])
    return any(isinstance(v, Mapping) and v.get("raised_exception") for v in exception_info.values())
