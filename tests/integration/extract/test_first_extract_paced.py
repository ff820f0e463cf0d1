"""A first full Procore extract paced by the rate headers, SIGKILLed half-way and started again as the
next try of the same run (``tools/bench_first_extract.py`` at a small size): every full window's limit is
used to at least 90 % as the server counted it, no call the first try had staged is sent again, and the
resumed try finishes with everything staged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from procore_xero.staging import create_staging_engine, staging_table
from sandbox.process import SandboxProcess, start_sandbox
from tools.bench_first_extract import first_extract

# 5 projects, about 230 calls: two full windows of 100 calls and the end of the extract in a third. The
# window must be well over 24 s: the client tells the hourly window from the 10-second spike window by
# the reset (within 12 s: spike), so a shorter "hour" would be taken for the spike window near its end.
SCALE, WINDOW_SECONDS, LIMIT, KILL_AT = "0.2", 30.0, 100, 60


@pytest.fixture
def small_sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    sandbox = start_sandbox(tmp_path / "sandbox.log", "--scale", SCALE)
    yield sandbox
    sandbox.stop()


def test_a_killed_first_extract_uses_each_window_and_repeats_no_staged_call(
    small_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    state = small_sandbox.admin("procore", "GET", "state")
    result = first_extract(
        small_sandbox, tmp_path / "run", window_seconds=WINDOW_SECONDS, limit=LIMIT, kill_at=KILL_AT
    )
    assert (result["status"], result["projects"]) == ("success", len(state["projects"]))
    assert result["windows"] >= 2
    assert result["share_min"] >= 0.9, result
    assert result["repeated_after_kill"] == 0, result
    assert result["repeated_in_flight"] <= 4, result  # at most one call in flight per worker at the kill
    assert result["calls_before_kill"] >= KILL_AT
    assert result["resumed_reads"] > 0  # the second try skipped what the first had finished
    assert result["rejected_429"] == 0, result
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'run' / 'staging.db'}")
    with engine.connect() as connection:
        for name in ("projects", "requisitions", "commitment_line_items"):
            table = staging_table("procore", name)
            staged = connection.execute(select(func.count()).select_from(table)).scalar_one()
            assert staged == len(state[name]), name
