"""Validate one transformed frame: which rows load, which wait in the exception queue and why."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from procore_xero.gx_runner import CheckNotRun, SuiteRun
from procore_xero.outgoing import FRAME_COLUMNS
from procore_xero.validation.gx_frame import to_gx_frame
from procore_xero.validation.outcome import Failure, ValidationOutcome
from procore_xero.validation.rules import OBJECT_RULES, ObjectRules
from procore_xero.validation.suite import run_suite


class ValidationError(RuntimeError):
    """GX could not evaluate an expectation: nothing may load on a check that did not run."""


def validate(frame: pd.DataFrame, object_type: str, settings: Mapping[str, Any]) -> ValidationOutcome:
    """Run the object's suite on the transformed frame before any write.

    ``object_type`` is a key of ``rules.OBJECT_RULES`` (``"bills"``); ``settings`` is the tenant's
    ``settings:`` section of the mapping spec (rules read e.g. ``send_to_xero_stage`` from it).
    """
    if object_type not in OBJECT_RULES:
        raise ValueError(f"no validation suite for {object_type!r}; expected one of {sorted(OBJECT_RULES)}")
    suite = OBJECT_RULES[object_type]
    _check_contract(frame, suite)
    try:
        run = run_suite(to_gx_frame(frame, suite), object_type, suite, settings)
    except CheckNotRun as error:
        rule = suite.rules[error.meta["rule"]]
        raise ValidationError(f"expectation {rule} failed to run: {error.exception_info}") from error
    failing = _failing_rows(run, suite)
    failures = tuple(_failures(frame, failing, object_type, suite, settings))
    held_ids = {f.source_id for f in failures if not f.note}
    held = frame["source_id"].astype(str).isin(held_ids)
    return ValidationOutcome(
        object_type=object_type,
        passed=frame[~held],
        held=frame[held],
        failures=failures,
        results=run.as_json(),
    )


def _check_contract(frame: pd.DataFrame, suite: ObjectRules) -> None:
    checked = {c for rule in suite.rules for c in rule.columns()} - set(suite.derived)
    shown = {c for rule in suite.rules for c in rule.shown_columns()}
    missing = sorted({*FRAME_COLUMNS, *checked, *shown, *suite.derived.values()} - set(frame.columns))
    if missing:
        raise ValueError(f"frame lacks the columns {missing}")
    if frame["source_id"].duplicated().any():
        raise ValueError("source_id must identify one row: failures are reported per source record")
    wrong_target = set(frame["target_type"]) - {suite.target_type}
    if wrong_target:
        raise ValueError(f"frame holds target types {sorted(wrong_target)}, expected {suite.target_type!r}")


def _failing_rows(run: SuiteRun, suite: ObjectRules) -> pd.DataFrame:
    """(source_id, rule index, GX expectation type) per failing row and reason; a reason's first rule wins."""
    rows = [
        (source_id, check.meta["rule"], check.expectation_type)
        for check in run.checks
        for source_id in check.failing_keys
    ]
    failing = pd.DataFrame(rows, columns=["source_id", "rule", "expectation"])
    failing = failing.sort_values("rule", kind="stable")
    failing["reason"] = [suite.rules[index].reason for index in failing["rule"]]
    return failing.drop_duplicates(["source_id", "reason"])


def _failures(
    frame: pd.DataFrame,
    failing: pd.DataFrame,
    object_type: str,
    suite: ObjectRules,
    settings: Mapping[str, Any],
) -> Iterator[Failure]:
    """One Failure per failing row and reason, with the row's own (Decimal-exact) values."""
    rows = frame.set_index(frame["source_id"].astype(str)).loc[failing["source_id"]]
    keys = failing[["source_id", "rule", "expectation"]].itertuples(index=False)
    for (source_id, index, expectation), row in zip(keys, rows.to_dict("records", into=dict), strict=True):
        rule = suite.rules[index]
        yield Failure(
            object_type=object_type,
            source_type=row["source_type"],
            source_id=source_id,
            label=row["label"],
            reason_code=rule.reason,
            message=rule.message.format(**{**settings, **row}),
            expectation=expectation,
            values={column: _native(row[column]) for column in rule.shown_columns()},
            note=rule.note,
        )


def _native(value: Any) -> Any:
    """A frame value the exception queue's exact JSON can store: missing -> None, numpy -> Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value
