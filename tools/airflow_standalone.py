"""``make airflow``: Airflow standalone on the sandboxes, with connections, pools and an admin login set.

``airflow standalone`` runs the scheduler, DAG processor, triggerer (the Human-in-the-loop approvals
defer to it) and API server with a SQLite metadata database in ``AIRFLOW_HOME``. Login is Airflow 3's
simple auth manager: one ``admin`` user whose password is kept in the passwords file in ``AIRFLOW_HOME``
(generated on first start, printed on every start). The browser test (tests/browser) starts the same
thing through ``running_standalone`` on free ports and a throwaway home.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.sandbox_connections import connection_env, local_token_key, xero_pools

VENV_BIN = Path(sys.executable).parent
ADMIN = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"  # Airflow's own default name
HEALTHY = ("metadatabase", "scheduler", "triggerer", "dag_processor")
POOL_DESCRIPTION = "Xero allows 5 calls in flight per organisation"
SETTINGS_DIR = REPO_ROOT / "tools" / "standalone_settings"  # airflow_local_settings: preloads for tasks


@dataclass(frozen=True)
class StandaloneConfig:
    """Where things live and listen; the defaults are ``make airflow``'s."""

    home: Path = REPO_ROOT / ".airflow"
    data_dir: Path = REPO_ROOT / "data"
    port: int = 8080
    procore_port: int | None = 8701  # None: a free port
    xero_port: int | None = 8702
    staging_url: str | None = None  # None: SQLite ``staging.db`` in data_dir
    log_ports: tuple[int, int] = (8793, 8794)  # the scheduler's and triggerer's log servers (Airflow's)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def staging(self) -> str:
        return self.staging_url or f"sqlite:///{self.data_dir / 'staging.db'}"


@dataclass
class Standalone:
    """A running ``airflow standalone`` with its sandbox, environment and admin login."""

    config: StandaloneConfig
    sandbox: SandboxProcess
    env: dict[str, str]
    password: str
    process: subprocess.Popen[bytes]

    def token(self) -> str:
        """A REST API bearer token for the admin (``POST /auth/token``)."""
        response = requests.post(
            f"{self.config.base_url}/auth/token",
            json={"username": ADMIN, "password": self.password},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def set_pools(self, pools: dict[str, int]) -> None:
        """Pools through the REST API, created or overwritten in one bulk call (standalone migrates the
        database itself, so no ``airflow db migrate`` / ``pools import`` process has to start first)."""
        entities = [
            {"name": name, "slots": slots, "description": POOL_DESCRIPTION} for name, slots in pools.items()
        ]
        response = requests.patch(
            f"{self.config.base_url}/api/v2/pools",
            json={
                "actions": [{"action": "create", "entities": entities, "action_on_existence": "overwrite"}]
            },
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=30,
        )
        response.raise_for_status()
        if errors := response.json()["create"]["errors"]:
            raise RuntimeError(f"Airflow refused the pools {pools}: {errors}")


def admin_password(home: Path) -> str:
    """The admin's password from the simple auth manager's passwords file, written first if missing
    (Airflow only prints a password it generates once, so a re-run could not tell it again)."""
    path = home / PASSWORDS_FILE
    passwords = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
    if ADMIN not in passwords:
        passwords[ADMIN] = secrets.token_urlsafe(12)
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(passwords) + "\n")
        path.chmod(0o600)
    return str(passwords[ADMIN])


def airflow_env(config: StandaloneConfig, sandbox: SandboxProcess) -> dict[str, str]:
    """The environment of every Airflow process: this project's DAGs, the sandbox connections, the
    staging database, one admin user, the API on loopback at ``config.port``."""
    home = config.home
    return {
        **os.environ,
        **connection_env(sandbox),
        **local_token_key(),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # standalone starts `airflow` by name
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SETTINGS_DIR), os.environ.get("PYTHONPATH")])),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / PASSWORDS_FILE),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(config.port),
        "AIRFLOW__API__BASE_URL": config.base_url,
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(config.log_ports[0]),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(config.log_ports[1]),
        "PXSYNC_DATA_DIR": str(config.data_dir),
        "STAGING_DB_URL": config.staging,
    }


def prepare(config: StandaloneConfig) -> None:
    """Home and data dir. The sandboxes start from their seed, so the default SQLite staging of an earlier
    session is set aside."""
    config.home.mkdir(parents=True, exist_ok=True)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    if config.staging_url is None:
        set_aside_staging(config.data_dir)


def set_aside_staging(data_dir: Path) -> None:
    """An earlier session's ``staging.db`` (its crosswalk names Xero records the fresh sandbox lacks) to
    ``staging.db.previous``, with its WAL files: a stale ``-wal`` beside a new database would be replayed."""
    if not (data_dir / "staging.db").exists():
        return
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"staging.db.previous{suffix}").unlink(missing_ok=True)
        with suppress(FileNotFoundError):
            (data_dir / f"staging.db{suffix}").replace(data_dir / f"staging.db.previous{suffix}")


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Until ``/api/v2/monitor/health`` reports every component (the triggerer too) healthy."""
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited with {process.returncode}")
        try:
            health = requests.get(f"{base_url}/api/v2/monitor/health", timeout=5).json()
            last = json.dumps(health)
            if all(health.get(part, {}).get("status") == "healthy" for part in HEALTHY):
                return
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        time.sleep(1)
    raise TimeoutError(f"Airflow was not healthy within {timeout:.0f}s: {last}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C for standalone (it stops its components on SIGINT only), then its process group."""
    for sig, grace in ((signal.SIGINT, 30), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            break
        if sig == signal.SIGINT:
            process.send_signal(sig)
        else:
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
    with suppress(ProcessLookupError):  # components a killed standalone left behind
        os.killpg(process.pid, signal.SIGTERM)


@contextmanager
def running_standalone(
    config: StandaloneConfig, output: IO[bytes] | None = None, timeout: float = 240
) -> Iterator[Standalone]:
    """Sandboxes, then ``airflow standalone`` (its output to ``output``, else the terminal) until healthy,
    then the Xero pools; everything is stopped on exit."""
    sandbox = start_sandbox(
        config.home / "sandbox.log", procore_port=config.procore_port, xero_port=config.xero_port
    )
    try:
        env = airflow_env(config, sandbox)
        password = admin_password(config.home)
        prepare(config)
        process = subprocess.Popen(
            [str(VENV_BIN / "airflow"), "standalone"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # its own process group, stopped as one
        )
        try:
            wait_until_healthy(config.base_url, process, timeout)
            running = Standalone(config, sandbox, env, password, process)
            running.set_pools(xero_pools())
            yield running
        finally:
            stop(process)
    finally:
        sandbox.stop()


def parse_args(argv: list[str] | None) -> StandaloneConfig:
    defaults = StandaloneConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home",
        type=Path,
        default=Path(os.environ.get("AIRFLOW_HOME", defaults.home)),
        help="AIRFLOW_HOME: metadata database, logs, the admin's password file",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("PXSYNC_DATA_DIR", defaults.data_dir)),
        help="PXSYNC_DATA_DIR: staging.db, validation results, drift reports",
    )
    parser.add_argument("--port", type=int, default=defaults.port, help="the UI and REST API")
    parser.add_argument("--procore-port", type=int, default=defaults.procore_port, help="Procore sandbox")
    parser.add_argument("--xero-port", type=int, default=defaults.xero_port, help="Xero sandbox")
    parser.add_argument(
        "--staging-url",
        default=os.environ.get("STAGING_DB_URL"),
        help="SQLAlchemy URL of the staging database (default: SQLite staging.db in the data dir)",
    )
    args = parser.parse_args(argv)
    return StandaloneConfig(
        args.home.resolve(),
        args.data_dir.resolve(),
        args.port,
        args.procore_port,
        args.xero_port,
        args.staging_url,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    started = time.monotonic()
    print(f"Starting the sandboxes and Airflow standalone in {config.home} …", flush=True)
    try:
        with running_standalone(config) as airflow:
            print(
                f"\nAirflow is ready in {time.monotonic() - started:.0f}s: {config.base_url}"
                f"  login {ADMIN} / {airflow.password}  (kept in {config.home / PASSWORDS_FILE})\n"
                f"Sandboxes: Procore {airflow.sandbox.procore_url}, Xero {airflow.sandbox.xero_url}; "
                f"staging {config.staging}\nCtrl-C stops everything.\n",
                flush=True,
            )
            airflow.process.wait()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
