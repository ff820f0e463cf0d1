from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, select

from procore_xero.staging import RunStatus, StagingKey, TaskTry, UpsertCounts, finish_run, start_run
from procore_xero.staging.schema import sync_runs

KEY = StagingKey(company_id=4_000_000_123, project_id=77)
TRY = TaskTry("procore_extract", "scheduled__2026-03-01T10:00:00+00:00", "extract.direct_costs", map_index=3)


def _runs(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        return [
            row._asdict() for row in connection.execute(select(sync_runs).order_by(sync_runs.c.try_number))
        ]


def test_start_and_finish_record_the_outcome(staging_engine: Engine) -> None:
    start_run(staging_engine, TRY, "procore", "direct_costs", KEY)
    (running,) = _runs(staging_engine)
    assert (running["status"], running["account"], running["scope"], running["map_index"]) == (
        "running",
        "4000000123",
        "77",
        3,
    )
    assert running["finished_at"] is None
    counts = UpsertCounts(inserted=5, updated=2, unchanged=10, deleted=1)
    duration = finish_run(staging_engine, TRY, RunStatus.SUCCESS, counts=counts, records_read=17, api_calls=2)
    (done,) = _runs(staging_engine)
    assert done["status"] == "success"
    assert (done["records_read"], done["inserted"], done["updated"], done["unchanged"], done["deleted"]) == (
        17,
        5,
        2,
        10,
        1,
    )
    assert done["api_calls"] == 2
    assert done["duration_seconds"] == duration == (done["finished_at"] - done["started_at"]).total_seconds()
    assert duration >= 0


def test_a_retry_gets_its_own_row_and_a_rerun_of_the_same_try_restarts_it(staging_engine: Engine) -> None:
    start_run(staging_engine, TRY, "procore", "direct_costs", KEY)
    finish_run(staging_engine, TRY, RunStatus.STOPPED_DAILY_LIMIT, message="daily limit: resume at page 7")
    retry = TaskTry.from_task_instance(SimpleNamespace(**{**TRY.__dict__, "try_number": 2}))
    start_run(staging_engine, retry, "procore", "direct_costs", KEY)
    start_run(staging_engine, retry, "procore", "direct_costs", KEY)
    first, second = _runs(staging_engine)
    assert (first["status"], first["message"]) == ("stopped_daily_limit", "daily limit: resume at page 7")
    assert (second["try_number"], second["status"], second["finished_at"]) == (2, "running", None)


def test_finishing_an_unstarted_run_is_an_error(staging_engine: Engine) -> None:
    with pytest.raises(LookupError, match="call start_run first"):
        finish_run(staging_engine, TRY, RunStatus.FAILED)
