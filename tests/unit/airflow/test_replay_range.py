"""The ``from`` / ``to`` Params of a replay: read as a UTC range, or refused saying what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from airflow.sdk.exceptions import AirflowFailException

from procore_xero.airflow.replay import replay_params, replay_range


def test_both_empty_is_no_replay() -> None:
    assert replay_range({"from": None, "to": None}) is None
    assert replay_range({}) is None
    assert set(replay_params()) == {"from", "to"}


def test_a_range_is_read_as_utc() -> None:
    chosen = replay_range({"from": "2026-11-01T00:00:00Z", "to": "2026-11-04T00:00"})
    assert chosen == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC))
    offset = replay_range({"from": "2026-11-01T02:00:00+02:00", "to": "2026-11-01T01:00:00Z"})
    assert offset is not None and offset[0] == datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2026-11-01T00:00:00Z"}, "Param 'to' is empty"),
        ({"to": "2026-11-01T00:00:00Z"}, "Param 'from' is empty"),
        (
            {"from": "last tuesday", "to": "2026-11-01T00:00:00Z"},
            "'from' = 'last tuesday' is not an ISO 8601",
        ),
        ({"from": "2026-11-04T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "must be before 'to'"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "must be before 'to'"),
        (
            {"from": "2026-11-01T00:00:00Z", "to": (datetime.now(UTC) + timedelta(days=1)).isoformat()},
            "is in the future",
        ),
    ],
)
def test_a_bad_range_is_refused_with_the_reason(params: dict[str, str], says: str) -> None:
    with pytest.raises(AirflowFailException, match=says.replace("(", r"\(")):
        replay_range(params)
