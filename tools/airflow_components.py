"""Airflow's components as separate, watched processes (what ``airflow standalone`` runs, minus its silence).

``airflow standalone`` keeps running when its scheduler dies and interleaves every component's output on
the terminal (tens of thousands of lines: the login scrolls away). Here each component writes its own log
file, and ``Components.dead()`` names any that stopped so the launcher can say so at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

# The API server last: the UI only answers once the others are on their way.
COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server")
STOP_GRACE_SECONDS = 30.0


def tail(path: Path, lines: int = 25) -> str:
    """The last ``lines`` lines of a log file (for a component that died)."""
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run_airflow(airflow: Path, args: list[str], env: dict[str, str], log: Path, timeout: float) -> None:
    """One ``airflow`` CLI command to completion (``db migrate``), its output to ``log``; a failure raises
    with the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        result = subprocess.run(
            [str(airflow), *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"airflow {' '.join(args)} failed ({result.returncode}); {log}:\n{tail(log)}")


@dataclass
class Components:
    """The running component processes, each in its own process group (LocalExecutor's workers and the
    API server's workers go with it), each logging to ``log_dir/<name>.log``."""

    airflow: Path
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, names: Iterable[str] = COMPONENTS) -> None:
        for name in names:
            self.start_one(name, [name])

    def start_one(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        """``airflow <args>`` as component ``name`` (e.g. ``worker-2``: ``celery worker``), with ``env``
        instead of the shared environment when given."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log(name).open("ab") as output:
            self.processes[name] = subprocess.Popen(
                [str(self.airflow), *args],
                env=env or self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def restart(self, name: str) -> None:
        """SIGTERM to component ``name`` (Airflow's components shut down on it), then start it again."""
        process = self.processes[name]
        _signal_group(process, signal.SIGTERM)
        _wait_or_kill(process)
        self.start_one(name, [name])

    def kill(self, name: str) -> None:
        """SIGKILL to component ``name``'s whole group, as a machine that dies: no shutdown, no goodbye."""
        _signal_group(self.processes[name], signal.SIGKILL)
        self.processes.pop(name).wait(timeout=30)

    def dead(self) -> dict[str, int]:
        """Components that exited, with their exit codes."""
        return {name: code for name, p in self.processes.items() if (code := p.poll()) is not None}

    def stop(self) -> None:
        """SIGTERM to every group (Airflow's components shut down on it), SIGKILL after the grace."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        for process in self.processes.values():
            _wait_or_kill(process)
        for process in self.processes.values():  # workers a component left behind
            _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """``signum`` to the component's whole process group (gone already: nothing to do)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _wait_or_kill(process: subprocess.Popen[bytes]) -> None:
    """Wait the grace for a component told to stop, then SIGKILL its group."""
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)
