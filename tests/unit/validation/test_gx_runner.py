"""The one GX runner both validation and the drift rules use: failing keys, row conditions, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from procore_xero.gx_runner import Check, CheckNotRun, GxRun

FRAME = pd.DataFrame(
    {"key": ["a", "b", "c", "d"], "cents": pd.Series([100, -5, 250, -1], dtype="Int64"), "size": [1, 9, 9, 1]}
)


def test_each_check_reports_the_keys_of_the_rows_it_fails() -> None:
    checks = [
        Check("ExpectColumnValuesToBeBetween", {"column": "cents", "min_value": 0}, meta={"rule": 0}),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "cents", "max_value": 200},
            meta={"rule": 1},
            above=("size", 5),
        ),
    ]
    run = GxRun("test").check("amounts", FRAME, checks, key_column="key", batch="frame")
    assert [(c.meta["rule"], c.success, c.failing_keys) for c in run.checks] == [
        (0, False, ("b", "d")),
        (1, False, ("c",)),
    ]
    assert run.as_json()["statistics"]["unsuccessful_expectations"] == 2


def test_a_check_that_cannot_run_raises_with_its_meta_instead_of_passing() -> None:
    checks = [Check("ExpectColumnValuesToNotBeNull", {"column": "no_such_column"}, meta={"rule": 7})]
    with pytest.raises(CheckNotRun) as raised:
        GxRun("test").check("broken", FRAME, checks, key_column="key", batch="frame")
    assert raised.value.meta["rule"] == 7
    assert "no_such_column" in str(raised.value)
