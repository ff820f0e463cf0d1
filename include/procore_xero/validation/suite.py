"""Great Expectations objects for one run: an ephemeral context, a pandas data source, a suite per object.

Imports GX inside the functions only: DAG files import this package while parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.validation.rules import ObjectRules, Rule, Setting

RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["source_id"],
    "return_unexpected_index_query": False,
}


def run_suite(
    gx_frame: pd.DataFrame, object_type: str, suite: ObjectRules, settings: Mapping[str, Any]
) -> Any:
    """Run the object's suite over the frame; returns GX's ``ExpectationSuiteValidationResult``."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        ),
    )
    batch = (
        context.data_sources.add_pandas(f"pxsync_{object_type}")
        .add_dataframe_asset(object_type)
        .add_batch_definition_whole_dataframe("transformed")
    )
    expectations = context.suites.add(gx.ExpectationSuite(name=object_type))
    for index, rule in enumerate(suite.rules):
        expectations.add_expectation(_expectation(rule, index, settings))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=object_type, data=batch, suite=expectations)
    )
    return definition.run(batch_parameters={"dataframe": gx_frame}, result_format=RESULT_FORMAT)


def _expectation(rule: Rule, index: int, settings: Mapping[str, Any]) -> Any:
    """The rule as a GX expectation; ``meta`` carries its position so results map back to the rule."""
    import great_expectations.expectations as gxe

    kwargs = {name: _resolve(value, settings) for name, value in rule.kwargs.items()}
    return getattr(gxe, rule.expectation)(
        **kwargs,
        meta={"rule": index, "reason_code": rule.reason},
        severity="info" if rule.note else "critical",
    )


def _resolve(value: Any, settings: Mapping[str, Any]) -> Any:
    if isinstance(value, Setting):
        return settings[value.key]
    if isinstance(value, list):
        return [_resolve(item, settings) for item in value]
    return value
