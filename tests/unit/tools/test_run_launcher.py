"""``make airflow`` and ``make cluster`` share one life: SIGTERM stops everything as Ctrl-C does (exit 0),
a component that dies or does not start ends the launcher with exit 1 and says why."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from tools.airflow_standalone import run_launcher


@pytest.fixture(autouse=True)
def restore_signals() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


def test_sigterm_stops_the_launcher_as_ctrl_c_does(capsys: pytest.CaptureFixture[str]) -> None:
    stopped: list[str] = []

    def run(started: float) -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()  # not reached: the handler raises at once
        finally:
            stopped.append("components")

    assert run_launcher("make airflow", "Starting …", run) == 0
    assert stopped == ["components"]
    assert capsys.readouterr().out == "Starting …\nStopping …\n"


def test_a_component_that_dies_ends_the_launcher_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    def run(started: float) -> None:
        raise RuntimeError("scheduler exited with 3")  # as ComponentDied, a RuntimeError, says it

    assert run_launcher("make cluster", "Starting …", run) == 1
    assert capsys.readouterr().err == "\nmake cluster stopped: scheduler exited with 3\n"


def test_a_start_that_times_out_ends_the_launcher_with_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    def run(started: float) -> None:
        raise TimeoutError("Airflow's API did not answer within 120 s")

    assert run_launcher("make airflow", "Starting …", run) == 1
    assert "make airflow stopped: Airflow's API did not answer within 120 s" in capsys.readouterr().err
