"""``make demo``'s progress lines: each step announced before it runs, timed when it ends, failures too."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from tools.progress import Progress


def ticking(times: list[float]) -> Iterator[float]:
    yield from times


def test_each_step_is_announced_then_timed() -> None:
    out = io.StringIO()
    clock = ticking([0.0, 1.0, 13.34, 13.34, 14.0, 20.0, 20.0])
    progress = Progress(2, out, clock=lambda: next(clock))
    with progress.step("Extract Procore"):
        assert out.getvalue() == "[1/2] Extract Procore …\n"  # printed before the step's work
    with progress.step("Sync"):
        pass
    assert out.getvalue().splitlines() == [
        "[1/2] Extract Procore …",
        "[1/2] Extract Procore: done in 12.3 s (total 13 s)",
        "[2/2] Sync …",
        "[2/2] Sync: done in 6.0 s (total 20 s)",
    ]
    assert progress.seconds == {"Extract Procore": 12.3, "Sync": 6.0}


def test_a_failed_step_says_so_and_the_error_goes_on() -> None:
    out = io.StringIO()
    clock = ticking([0.0, 0.0, 2.5, 2.5])
    progress = Progress(3, out, clock=lambda: next(clock))
    with pytest.raises(RuntimeError, match="sandbox did not start"), progress.step("Sandboxes"):
        raise RuntimeError("sandbox did not start")
    assert out.getvalue().splitlines()[-1] == "[1/3] Sandboxes: failed after 2.5 s (total 2 s)"
    assert progress.seconds == {"Sandboxes": 2.5}
