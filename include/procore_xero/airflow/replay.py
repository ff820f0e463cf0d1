"""Replay: the ``from`` / ``to`` Params of the extract DAGs. One manual run re-reads a whole date range
(what a backfill does in one run per hour), and its extract-finished event re-syncs what it staged.
Light to import: DAG files build their Params from here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Param
from airflow.sdk.exceptions import AirflowFailException

RANGE_HELP = "Replay: re-read records changed from this UTC time (with 'to'); empty = the run's own hour."


def replay_params() -> dict[str, Param]:
    """The two Params, empty by default (a scheduled run reads its own data interval)."""
    return {
        "from": Param(None, type=["null", "string"], format="date-time", description=RANGE_HELP),
        "to": Param(
            None, type=["null", "string"], format="date-time", description="Replay: up to this UTC time."
        ),
    }


def replay_range(params: Any) -> tuple[datetime, datetime] | None:
    """``from`` / ``to`` (ISO 8601; a time without a zone is UTC) as a range, None when both are empty;
    a half-given, unreadable, reversed or future range is refused with what is wrong."""
    given = {name: params.get(name) for name in ("from", "to")}
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise AirflowFailException(f"replay: Param {missing[0]!r} is empty; give both 'from' and 'to'")
    moments = {}
    for name, value in given.items():
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise AirflowFailException(
                f"replay: Param {name!r} = {value!r} is not an ISO 8601 time"
            ) from None
        moments[name] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    start, end = moments["from"], moments["to"]
    if start >= end:
        raise AirflowFailException(
            f"replay: 'from' ({start.isoformat()}) must be before 'to' ({end.isoformat()})"
        )
    if end > datetime.now(UTC):
        raise AirflowFailException(f"replay: 'to' ({end.isoformat()}) is in the future")
    return start, end
