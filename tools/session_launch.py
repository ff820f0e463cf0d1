"""``make airflow`` as a newcomer runs it: the real command in a terminal of its own, read until it prints
its ready banner, stopped with Ctrl-C (SIGINT to its process group) -- for ``tools.airflow_sessions``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sandbox.process import REPO_ROOT, free_port

READY = re.compile(
    r"Airflow is ready in (?P<seconds>\d+)s: (?P<url>\S+)\s+login (?P<user>\S+) / (?P<password>\S+)"
)
SANDBOXES = re.compile(r"Sandboxes: Procore (?P<procore>[^,\s]+), Xero (?P<xero>[^;\s]+);")
MAIL = re.compile(r"lands in (?P<mail>\S+)/ \(settings")
STOP_SECONDS = 180.0  # Ctrl-C stops the components, PostgreSQL cleanly, then the sandboxes


@dataclass(frozen=True)
class Banner:
    """What the launcher prints once every component is healthy: where to go and how to sign in."""

    ready_seconds: int  # the launcher's own count from its start
    url: str
    user: str
    password: str
    procore_url: str
    xero_url: str
    mail_dir: Path


def parse_banner(text: str) -> Banner | None:
    """The ready banner in the launcher's output so far (None until all of it was printed)."""
    ready, sandboxes, mail = READY.search(text), SANDBOXES.search(text), MAIL.search(text)
    if not (ready and sandboxes and mail):
        return None
    return Banner(
        int(ready["seconds"]),
        ready["url"],
        ready["user"],
        ready["password"],
        sandboxes["procore"],
        sandboxes["xero"],
        Path(mail["mail"]),
    )


def launcher_args(home: Path, data_dir: Path) -> list[str]:
    """``make airflow AIRFLOW_ARGS=…`` with the home and data dir given and every port free (none of the
    defaults: other sessions on this machine may hold 8080 and the sandboxes' ports)."""
    ports = {
        "--port": free_port(),
        "--procore-port": 0,
        "--xero-port": 0,
        "--worker-log-port": free_port(),
        "--trigger-log-port": free_port(),
    }
    args = [f"--home {home}", f"--data-dir {data_dir}", *(f"{flag} {port}" for flag, port in ports.items())]
    return ["make", "--no-print-directory", "airflow", f"AIRFLOW_ARGS={' '.join(args)}"]


class Launcher:
    """``make airflow`` running in its own process group, its output copied to ``log`` as it comes."""

    def __init__(self, home: Path, data_dir: Path, log: Path) -> None:
        self.log = log
        self.output: list[str] = []
        self.started = time.monotonic()
        log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            launcher_args(home, data_dir),
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group: SIGINT reaches make and the launcher, as Ctrl-C does
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        self.reader = threading.Thread(target=self._copy, args=(self.process.stdout,), daemon=True)
        self.reader.start()

    def _copy(self, stream: IO[str]) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            for line in stream:
                self.output.append(line)
                out.write(line)
                out.flush()

    def text(self) -> str:
        return "".join(self.output)

    def wait_ready(self, timeout: float) -> tuple[Banner, float]:
        """The banner and the wall seconds from the command's start to it; raises with the output's end
        when the launcher exits or stays silent past ``timeout``."""
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if banner := parse_banner(self.text()):
                return banner, time.monotonic() - self.started
            if self.process.poll() is not None:
                self.reader.join(timeout=5)
                raise RuntimeError(f"make airflow exited with {self.process.returncode}:\n{self.tail()}")
            time.sleep(0.5)
        raise TimeoutError(f"make airflow printed no ready banner within {timeout:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "".join(self.output[-lines:])

    def stop(self) -> tuple[int, float]:
        """Ctrl-C: SIGINT to the group, then wait; (exit code, seconds). A launcher that does not stop within
        ``STOP_SECONDS`` gets SIGTERM, then SIGKILL, and the exit code says so."""
        started = time.monotonic()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
        self.reader.join(timeout=10)
        return self.process.returncode, time.monotonic() - started
