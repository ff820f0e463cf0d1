"""The catalogue's shared run (see ``world.py``), once per session, and the count of cases that ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.catalogue.world import World, build_world

CASE_TESTS = frozenset(
    {
        "test_case",
        "test_xero_case",
        "test_one_bad_answer_loses_nothing",
        "test_bad_answers_every_time_stop_with_a_clear_error",
        "test_a_cut_off_answer_to_a_write_creates_nothing_twice",
    }
)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("catalogue"))
    yield built
    built.sandbox.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many catalogue cases ran and how they ended (one line, after the test summary)."""
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            function = nodeid.split("::")[-1].split("[")[0]
            if nodeid.startswith("tests/catalogue/") and function in CASE_TESTS and report.when == "call":
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        detail = ", ".join(f"{n} {outcome}" for outcome, n in outcomes.items())
        terminalreporter.write_line(f"bad-input catalogue: {sum(outcomes.values())} cases ran ({detail})")
