"""``make airflow``: Airflow on the sandboxes with its own PostgreSQL, a mail catcher and watched components.

Connections, pools and an admin login are set. The scheduler, DAG processor, triggerer (the
Human-in-the-loop approvals defer to it) and API server run as separate processes on LocalExecutor, each
logging to ``logs/components/`` in AIRFLOW_HOME; if one dies the launcher says which and stops everything.
The metadata database is a PostgreSQL cluster of our own in AIRFLOW_HOME (SQLite locked under the hourly
extract and refuses UI backfills). Mail sent through ``smtp_default`` lands as ``.eml`` files in the data
dir's ``mail/``. Login is Airflow 3's simple auth manager: one ``admin`` user whose password is kept in the
passwords file in AIRFLOW_HOME (generated on first start, printed on every start). The tests start the
same thing through ``running_standalone`` on free ports and a throwaway home.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests
import yaml

from procore_xero.mapping.spec import SETTINGS_ENV, settings_path
from procore_xero.tenants import APPROVERS_ENV, TENANTS_ENV
from sandbox.process import REPO_ROOT, SandboxProcess, free_port, start_sandbox
from tools.airflow_components import Components, run_airflow, tail
from tools.intake_process import intake_env, running_intake, subscribe_xero
from tools.interrupts import sigterm_as_ctrl_c
from tools.mail_folder import mail_catcher, smtp_connection
from tools.other_tenants import start_other_tenants, write_tenants_file
from tools.postgres_server import INSTALL_HINT, PostgresServer, find_postgres_bin, start_postgres
from tools.sandbox_connections import connection_env, local_token_key, xero_pools

VENV_BIN = Path(sys.executable).parent
AIRFLOW = VENV_BIN / "airflow"
ADMIN = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"  # Airflow's own default name
HEALTHY = ("metadatabase", "scheduler", "triggerer", "dag_processor")
POOL_DESCRIPTION = "Xero allows 5 calls in flight per organisation"
SETTINGS_DIR = REPO_ROOT / "tools" / "standalone_settings"  # airflow_local_settings: preloads for tasks
METADATA_DATABASE = "airflow"
DEMO_CONTROLLER = "controller@pxsync.example"
MIGRATE_TIMEOUT = 600.0
SANDBOX_START_SECONDS = 60.0  # per demo seed's worth of records


@dataclass(frozen=True)
class StandaloneConfig:
    """Where things live and listen; the defaults are ``make airflow``'s. A port of None is a free one."""

    home: Path = REPO_ROOT / ".airflow"
    data_dir: Path = REPO_ROOT / "data"
    port: int = 8080
    procore_port: int | None = 8701
    xero_port: int | None = 8702
    staging_url: str | None = None  # None: SQLite ``staging.db`` in data_dir
    log_ports: tuple[int, int] = (8793, 8794)  # the scheduler's and triggerer's log servers (Airflow's)
    postgres_port: int | None = None
    smtp_port: int | None = None
    durable_metadata: bool = True  # False: a throwaway cluster in a temp dir (tests)
    controller_email: str = DEMO_CONTROLLER
    sandbox_scale: float = 1.0  # the demo seed's size (the scheduler test runs a tenth of it)
    users: tuple[tuple[str, str], ...] = ()  # more logins beside admin: (name, simple auth manager role)
    approvers: str | None = None  # PXSYNC_APPROVERS of the DAGs (None: the default, admin)
    other_tenants: tuple[tuple[str, str], ...] = ()  # (name, approver): firms beside default, own sandboxes

    @property
    def tenants_file(self) -> Path | None:
        """The tenants file written when there are other tenants (else none: the single default tenant)."""
        return self.home / "tenants.yaml" if self.other_tenants else None

    @classmethod
    def throwaway(cls, root: Path, scale: float = 1.0, **more: Any) -> StandaloneConfig:
        """On free ports in a throwaway home and data dir under ``root``, the demo seed at ``scale``: what the
        tests and benchmarks start (``more``: logins, approvers, other tenants)."""
        return cls(
            home=root / "airflow",
            data_dir=root / "data",
            port=free_port(),
            procore_port=None,
            xero_port=None,
            log_ports=(free_port(), free_port()),
            durable_metadata=False,
            sandbox_scale=scale,
            **more,
        )

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def staging(self) -> str:
        return self.staging_url or f"sqlite:///{self.data_dir / 'staging.db'}"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def settings(self) -> Path:
        """The settings the DAGs read: a copy of PXSYNC_SETTINGS (else the default) with the demo
        controller's address, written on the first start and then the operator's to edit."""
        return self.home / "pxsync-settings.yaml"

    @property
    def component_logs(self) -> Path:
        return self.home / "logs" / "components"


@dataclass
class Standalone:
    """A running Airflow with its sandbox, metadata server, mail catcher, environment and admin login."""

    config: StandaloneConfig
    sandbox: SandboxProcess
    postgres: PostgresServer
    env: dict[str, str]
    password: str
    components: Components
    other_sandboxes: dict[str, SandboxProcess] = field(default_factory=dict)  # other tenants', by name

    def token(self, user: str = ADMIN) -> str:
        """A REST API bearer token for ``user`` (``POST /auth/token``)."""
        response = requests.post(
            f"{self.config.base_url}/auth/token",
            json={"username": user, "password": self.password_of(user)},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def password_of(self, user: str) -> str:
        """A login's password from the passwords file (the admin's is ``password``)."""
        return str(json.loads((self.config.home / PASSWORDS_FILE).read_text())[user])

    def set_pools(self, pools: dict[str, int]) -> None:
        """Pools through the REST API, created or overwritten in one bulk call."""
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

    def unhealthy(self) -> list[str]:
        """Components the health endpoint does not report healthy (all of them if it does not answer)."""
        try:
            health = requests.get(f"{self.config.base_url}/api/v2/monitor/health", timeout=10).json()
        except (requests.ConnectionError, requests.Timeout, ValueError):
            return ["api-server"]
        return [part for part in HEALTHY if health.get(part, {}).get("status") != "healthy"]


class ComponentDied(RuntimeError):
    """An Airflow component exited: which one, its exit code and the end of its log."""

    def __init__(self, components: Components, dead: dict[str, int]) -> None:
        parts = [
            f"{name} exited with {code}; the end of {components.log(name)}:\n{tail(components.log(name))}"
            for name, code in dead.items()
        ]
        super().__init__("\n".join(parts))


def admin_password(home: Path, users: tuple[str, ...] = ()) -> str:
    """The admin's password from the simple auth manager's passwords file, written first if missing, with
    one for each of ``users`` (Airflow only prints a password it generates once, so a re-run could not tell
    it again)."""
    path = home / PASSWORDS_FILE
    passwords = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
    missing = [user for user in (ADMIN, *users) if user not in passwords]
    if missing:
        passwords.update({user: secrets.token_urlsafe(12) for user in missing})
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(passwords) + "\n")
        path.chmod(0o600)
    return str(passwords[ADMIN])


def write_settings(config: StandaloneConfig) -> None:
    """``config.settings`` on the first start: PXSYNC_SETTINGS (else the default) with the demo controller
    as ``controller_emails`` when it names nobody, so the approval mail and the drift report are sent."""
    if config.settings.exists():
        return
    document = yaml.safe_load(settings_path().read_text(encoding="utf-8"))
    if not document["settings"].get("controller_emails"):
        document["settings"]["controller_emails"] = [config.controller_email]
    config.settings.write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def airflow_env(
    config: StandaloneConfig, sandbox: SandboxProcess, metadata_url: str, smtp_port: int
) -> dict[str, str]:
    """The environment of every Airflow process: this project's DAGs, the sandbox and mail connections, the
    metadata and staging databases, one admin user, the API on loopback at ``config.port``."""
    home = config.home
    return {
        **os.environ,
        **connection_env(sandbox),
        **local_token_key(),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SETTINGS_DIR), os.environ.get("PYTHONPATH")])),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",  # the Connections page's Test button (procore / xero)
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(
            f"{name}:{role}" for name, role in ((ADMIN, "admin"), *config.users)
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / PASSWORDS_FILE),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(config.port),
        "AIRFLOW__API__BASE_URL": config.base_url,
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(config.log_ports[0]),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(config.log_ports[1]),
        "AIRFLOW_CONN_SMTP_DEFAULT": smtp_connection(smtp_port),
        "PXSYNC_DATA_DIR": str(config.data_dir),
        SETTINGS_ENV: str(config.settings),
        "STAGING_DB_URL": config.staging,
        **({APPROVERS_ENV: config.approvers} if config.approvers is not None else {}),
        **({TENANTS_ENV: str(config.tenants_file)} if config.tenants_file is not None else {}),
    }


def prepare(config: StandaloneConfig) -> None:
    """Home, data dir and settings. The sandboxes start from their seed, so the default SQLite staging of an
    earlier session is set aside."""
    config.home.mkdir(parents=True, exist_ok=True)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    write_settings(config)
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


def start_metadata(config: StandaloneConfig) -> PostgresServer:
    """The metadata cluster (durable in ``home/postgres``, or throwaway) with its ``airflow`` database."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise RuntimeError(INSTALL_HINT)
    root = config.home / "postgres" if config.durable_metadata else None
    server = start_postgres(bin_dir, root, config.postgres_port)
    server.ensure_database(METADATA_DATABASE)
    return server


def start_home(config: StandaloneConfig, stack: ExitStack) -> tuple[SandboxProcess, PostgresServer]:
    """What both launchers start first: the home prepared, the sandboxes and the metadata cluster, each
    stopped when ``stack`` closes."""
    prepare(config)
    sandbox = start_config_sandbox(config)
    stack.callback(sandbox.stop)
    postgres = start_metadata(config)
    stack.callback(postgres.stop)
    return sandbox, postgres


def start_config_tenants(config: StandaloneConfig, stack: ExitStack) -> dict[str, SandboxProcess]:
    """The other tenants' sandboxes (stopped with ``stack``) and the tenants file; none without."""
    if config.tenants_file is None:
        return {}
    approvers = dict(config.other_tenants)
    write_tenants_file(config.tenants_file, approvers)
    return start_other_tenants(stack, config.home / "tenants", list(approvers))


def start_config_sandbox(config: StandaloneConfig) -> SandboxProcess:
    """The Procore and Xero sandboxes on the configured ports, the demo seed at the configured scale."""
    return start_sandbox(
        config.home / "sandbox.log",
        "--scale",
        str(config.sandbox_scale),
        procore_port=config.procore_port,
        xero_port=config.xero_port,
        timeout=SANDBOX_START_SECONDS * max(1.0, config.sandbox_scale),  # a bigger seed takes longer
    )


def wait_until_healthy(running: Standalone, timeout: float) -> None:
    """Until ``/api/v2/monitor/health`` reports every component (the triggerer too) healthy; a component
    that exits meanwhile raises at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dead := running.components.dead():
            raise ComponentDied(running.components, dead)
        if not running.unhealthy():
            return
        time.sleep(1)
    raise TimeoutError(f"Airflow was not healthy within {timeout:.0f}s: {running.unhealthy()} not yet")


@contextmanager
def running_standalone(
    config: StandaloneConfig,
    timeout: float = 300,
    on_mail: Callable[[Path, EmailMessage], None] | None = None,
) -> Iterator[Standalone]:
    """Sandboxes, metadata database, mail catcher, ``airflow db migrate``, then the components until
    healthy, then the Xero pools; everything is stopped on exit (the durable cluster cleanly)."""
    with ExitStack() as stack:
        sandbox, postgres = start_home(config, stack)
        others = start_config_tenants(config, stack)
        smtp_port = stack.enter_context(mail_catcher(config.mail_dir, config.smtp_port, on_mail))
        intake_port = free_port()
        env = {
            **airflow_env(config, sandbox, postgres.url(METADATA_DATABASE), smtp_port),
            **intake_env(intake_port),
            **{k: v for name, box in others.items() for k, v in connection_env(box, name).items()},
        }
        stack.enter_context(running_intake(env, intake_port, config.component_logs / "intake.log"))
        subscribe_xero(sandbox, env, intake_port)
        running = Standalone(
            config,
            sandbox,
            postgres,
            env,
            admin_password(config.home, tuple(name for name, _ in config.users)),
            Components(AIRFLOW, env, config.component_logs),
            others,
        )
        run_airflow(
            AIRFLOW, ["db", "migrate"], env, config.component_logs / "db-migrate.log", MIGRATE_TIMEOUT
        )
        stack.callback(running.components.stop)
        running.components.start()
        wait_until_healthy(running, timeout)
        running.set_pools(xero_pools(config.tenants_file))
        yield running


def watch(running: Standalone, interval: float = 2.0, health_every: float = 30.0) -> None:
    """Until a component exits (raises ``ComponentDied``) or Ctrl-C: say at once when one stops, and when
    the health endpoint reports one unhealthy (or healthy again)."""
    reported: list[str] = []
    next_health = time.monotonic() + health_every
    while True:
        if dead := running.components.dead():
            raise ComponentDied(running.components, dead)
        if time.monotonic() >= next_health:
            unhealthy, next_health = running.unhealthy(), time.monotonic() + health_every
            if unhealthy != reported:
                now = time.strftime("%H:%M:%S")
                print(
                    f"{now} unhealthy: {', '.join(unhealthy)}" if unhealthy else f"{now} healthy again",
                    flush=True,
                )
                reported = unhealthy
        time.sleep(interval)


def port_or_free(value: str) -> int | None:
    """A port number, or 0 for a free one."""
    return int(value) or None


def parse_args(argv: list[str] | None) -> StandaloneConfig:
    defaults = StandaloneConfig()
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], epilog="Ports given as 0 are picked free at each start."
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=Path(os.environ.get("AIRFLOW_HOME", defaults.home)),
        help="AIRFLOW_HOME: metadata cluster (postgres/), logs, settings, the admin's password file",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("PXSYNC_DATA_DIR", defaults.data_dir)),
        help="PXSYNC_DATA_DIR: staging.db, validation results, drift reports, mail/ (received mail)",
    )
    ports = parser.add_argument_group("ports (loopback)")
    ports.add_argument(
        "--port", type=int, default=defaults.port, help="the UI and REST API (default %(default)s)"
    )
    ports.add_argument(
        "--procore-port", type=port_or_free, default=defaults.procore_port, help="Procore sandbox"
    )
    ports.add_argument(
        "--xero-port",
        type=port_or_free,
        default=defaults.xero_port,
        help="Xero sandbox (default %(default)s)",
    )
    ports.add_argument(
        "--postgres-port", type=port_or_free, default=None, help="metadata PostgreSQL (default free)"
    )
    ports.add_argument("--smtp-port", type=port_or_free, default=None, help="the mail catcher (default free)")
    ports.add_argument(
        "--worker-log-port", type=int, default=defaults.log_ports[0], help="scheduler's log server"
    )
    ports.add_argument(
        "--trigger-log-port", type=int, default=defaults.log_ports[1], help="triggerer's log server"
    )
    parser.add_argument(
        "--staging-url",
        default=os.environ.get("STAGING_DB_URL"),
        help="SQLAlchemy URL of the staging database (default: SQLite staging.db in the data dir)",
    )
    parser.add_argument(
        "--controller-email",
        default=defaults.controller_email,
        help="controller_emails written into the home's settings on the first start (default %(default)s)",
    )
    parser.add_argument(
        "--sandbox-scale",
        type=float,
        default=defaults.sandbox_scale,
        help="size of the demo seed (0.1: a tenth)",
    )
    args = parser.parse_args(argv)
    return StandaloneConfig(
        home=args.home.resolve(),
        data_dir=args.data_dir.resolve(),
        port=args.port,
        procore_port=args.procore_port,
        xero_port=args.xero_port,
        staging_url=args.staging_url,
        log_ports=(args.worker_log_port, args.trigger_log_port),
        postgres_port=args.postgres_port,
        smtp_port=args.smtp_port,
        controller_email=args.controller_email,
        sandbox_scale=args.sandbox_scale,
    )


def print_mail(path: Path, message: EmailMessage) -> None:
    print(
        f"{time.strftime('%H:%M:%S')} mail to {message['X-Envelope-To']}: {message['Subject']}  ({path})",
        flush=True,
    )


def banner(running: Standalone, seconds: float) -> str:
    config = running.config
    return (
        f"\nAirflow is ready in {seconds:.0f}s: {config.base_url}  login {ADMIN} / {running.password}"
        f"  (kept in {config.home / PASSWORDS_FILE})\n"
        f"Sandboxes: Procore {running.sandbox.procore_url}, Xero {running.sandbox.xero_url}; staging "
        f"{config.staging}; metadata PostgreSQL on :{running.postgres.port} ({running.postgres.root})\n"
        f"Mail to {', '.join(yaml.safe_load(config.settings.read_text())['settings']['controller_emails'])} "
        f"lands in {config.mail_dir}/ (settings: {config.settings})\n"
        f"Component logs: {config.component_logs}/. Ctrl-C stops everything.\n"
    )


def run_launcher(command: str, starting: str, run: Callable[[float], None]) -> int:
    """A launcher's life (``make airflow``, ``make cluster``): ``run(started)`` starts everything and
    watches it; Ctrl-C or SIGTERM stops it all (exit 0), a component dying or not starting exits 1."""
    sigterm_as_ctrl_c()
    started = time.monotonic()
    print(starting, flush=True)
    try:
        run(started)
    except KeyboardInterrupt:
        print("Stopping …", flush=True)
    except (TimeoutError, RuntimeError) as error:  # ComponentDied is a RuntimeError
        print(f"\n{command} stopped: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)

    def run(started: float) -> None:
        with running_standalone(config, on_mail=print_mail) as running:
            print(banner(running, time.monotonic() - started), flush=True)
            watch(running)

    return run_launcher(
        "make airflow",
        f"Starting the sandboxes, PostgreSQL, the mail catcher and Airflow in {config.home} …",
        run,
    )


if __name__ == "__main__":
    raise SystemExit(main())
