"""The webhook intake as ``make airflow`` runs it: its own process on loopback, stopped with the rest.

A process of its own, not an Airflow plugin: it must answer Procore and Xero within 5 seconds even while
the API server restarts or is busy, and it needs nothing of Airflow (docs/fidelity.md, "Change feeds").
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from sandbox.process import SandboxProcess, stop_process

TOKEN_ENV, URL_ENV = "PXSYNC_PROCORE_WEBHOOK_TOKEN", "PXSYNC_INTAKE_URL"
XERO_KEY_ENV = "PXSYNC_XERO_WEBHOOK_KEY"


def intake_env(port: int) -> dict[str, str]:
    """What the intake and the DAGs share: a fresh token for this session, the URL Procore posts to, and a
    fresh Xero webhook key (the one the developer portal would show)."""
    return {
        TOKEN_ENV: secrets.token_urlsafe(32),
        URL_ENV: f"http://127.0.0.1:{port}/procore",
        XERO_KEY_ENV: secrets.token_urlsafe(32),
    }


def subscribe_xero(sandbox: SandboxProcess, env: dict[str, str], port: int) -> None:
    """The developer portal's step: point the sandbox's Xero app at the running intake with ``env``'s key
    (intent-to-receive runs at once; anything but ``OK`` means Xero would send nothing)."""
    url = f"http://127.0.0.1:{port}/xero"
    answer = sandbox.admin("xero", "POST", "webhooks", {"url": url, "key": env[XERO_KEY_ENV]})
    if answer["status"] != "OK":
        raise RuntimeError(f"Xero's intent-to-receive against {url} failed: {answer['status']}")


@contextmanager
def running_intake(env: dict[str, str], port: int, log: Path, timeout: float = 60.0) -> Iterator[None]:
    """``python -m procore_xero.events serve`` with ``env`` until the block ends; ready once it answers."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "procore_xero.events", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the webhook intake exited with {process.returncode}; see {log}")
            try:
                requests.get(f"http://127.0.0.1:{port}/procore", timeout=2)  # 405: up, nothing logged
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the webhook intake did not answer within {timeout}s; see {log}"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        stop_process(process)
