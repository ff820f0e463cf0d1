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
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            with self.log(name).open("ab") as output:
                self.processes[name] = subprocess.Popen(
                    [str(self.airflow), name],
                    env=self.env,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )

    def dead(self) -> dict[str, int]:
        """Components that exited, with their exit codes."""
        return {name: code for name, p in self.processes.items() if (code := p.poll()) is not None}

    def stop(self) -> None:
        """SIGTERM to every group (Airflow's components shut down on it), SIGKILL after the grace."""
        for process in self.processes.values():
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for process in self.processes.values():  # workers a component left behind
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
