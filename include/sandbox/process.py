"""Starts ``python -m sandbox serve`` as a real process on free loopback ports (tests, demo, benchmarks)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """Stop a child this process started: SIGTERM, ``grace`` seconds to exit cleanly, then SIGKILL; reaped
    either way so that no zombie is left behind."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SandboxProcess:
    """A running pair of emulators; ``admin()`` calls the ``/_sandbox`` routes of one of them."""

    procore_url: str
    xero_url: str
    process: subprocess.Popen[bytes] | None  # None: another process started it, and stops it
    log_path: Path | None
    http: requests.Session = field(default_factory=requests.Session)

    def url(self, service: str) -> str:
        return {"procore": self.procore_url, "xero": self.xero_url}[service]

    def admin(self, service: str, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.url(service)}/_sandbox/{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        for service in ("procore", "xero"):
            self.admin(service, "POST", "reset")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


def start_sandbox(
    log_path: Path,
    *extra_args: str,
    seed: str = "demo",
    timeout: float = 60.0,
    procore_port: int | None = None,
    xero_port: int | None = None,
    python: str | Path = sys.executable,
) -> SandboxProcess:
    """Start the emulators (on free ports unless given) with ``python`` (another virtualenv's: the runtime
    lock test) and wait until both answer."""
    procore_port, xero_port = procore_port or free_port(), xero_port or free_port()
    args = [
        str(python),
        "-m",
        "sandbox",
        "serve",
        "--seed",
        seed,
        "--procore-port",
        str(procore_port),
        "--xero-port",
        str(xero_port),
        *extra_args,
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    sandbox = SandboxProcess(
        f"http://127.0.0.1:{procore_port}", f"http://127.0.0.1:{xero_port}", process, log_path
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            sandbox.admin("procore", "GET", "clock")
            sandbox.admin("xero", "GET", "clock")
            return sandbox
        except requests.ConnectionError:
            time.sleep(0.1)
    sandbox.stop()
    raise RuntimeError(f"sandbox did not start within {timeout}s:\n{log_path.read_text()[-3000:]}")


def start_firm_sandbox(folder: Path, name: str, number: int, scale: float) -> SandboxProcess:
    """The emulators of another firm: the demo seed generated from seed number ``100 + number`` at ``scale``
    (its own Xero organisation) with its Procore company id moved by ``number``, so nothing it stages shares
    a key with the demo company's. Seed and log in ``folder`` as ``name``.json / .log."""
    from sandbox.seed import generate_seed
    from sandbox.seed.procore_seed import COMPANY_ID

    seed = json.dumps(generate_seed(scale, seed_number=100 + number))
    path = folder / f"{name}.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(seed.replace(str(COMPANY_ID), str(COMPANY_ID + number)), encoding="utf-8")
    return start_sandbox(folder / f"{name}.log", seed=str(path))
