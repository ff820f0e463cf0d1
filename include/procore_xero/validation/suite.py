"""An object's rules as Great Expectations checks, run through the shared runner (``gx_runner``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.gx_runner import Check, GxRun, SuiteRun
from procore_xero.validation.rules import ObjectRules, Rule, Setting


def run_suite(
    gx_frame: pd.DataFrame, object_type: str, suite: ObjectRules, settings: Mapping[str, Any]
) -> SuiteRun:
    """Run the object's suite over the frame in a context of its own; rows are keyed by ``source_id``."""
    checks = [_check(rule, index, settings) for index, rule in enumerate(suite.rules)]
    return GxRun(f"pxsync_{object_type}").check(
        object_type, gx_frame, checks, key_column="source_id", batch="transformed"
    )


def _check(rule: Rule, index: int, settings: Mapping[str, Any]) -> Check:
    """The rule as a check; ``meta`` carries its position so results map back to the rule."""
    return Check(
        expectation=rule.expectation,
        kwargs={name: _resolve(value, settings) for name, value in rule.kwargs.items()},
        meta={"rule": index, "reason_code": rule.reason},
        severity="info" if rule.note else "critical",
    )


def _resolve(value: Any, settings: Mapping[str, Any]) -> Any:
    if isinstance(value, Setting):
        return settings[value.key]
    if isinstance(value, list):
        return [_resolve(item, settings) for item in value]
    return value
