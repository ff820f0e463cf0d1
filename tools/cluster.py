"""``make cluster``: docker-compose.yaml's Celery topology as processes on loopback, from this virtualenv and
Debian's PostgreSQL and Redis (no Docker engine needed).

What compose starts, started here: PostgreSQL with the metadata database ``airflow`` and the staging database
``pxsync_staging`` (created by compose's own ``deploy/postgres-init`` script), Redis as the Celery broker, the
init (compose's ``deploy/airflow_init.py``: migrate, admin user, pools, connections), the api-server,
scheduler, dag-processor, triggerer and ``--workers`` (default 2) ``airflow celery worker``s, plus the
Procore/Xero sandboxes and a mail catcher. The Airflow settings come from ``deploy/airflow.env``, the file
compose's services read; the secrets compose takes from ``.env`` are generated once into this home's ``.env``
(same names as ``.env.example``). Ports are free loopback ports except the UI's (``--port``, default 8080).
Foreground: prints the UI address and login; Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path

import psycopg2
from cryptography.fernet import Fernet

from sandbox.process import REPO_ROOT, SandboxProcess, free_port
from tools.airflow_components import Components, tail
from tools.airflow_standalone import (
    ADMIN,
    AIRFLOW,
    METADATA_DATABASE,
    ComponentDied,
    Standalone,
    StandaloneConfig,
    airflow_env,
    banner,
    parse_args,
    print_mail,
    run_launcher,
    start_home,
    wait_until_healthy,
    watch,
)
from tools.env_file import read_env_file, write_env_file
from tools.mail_folder import mail_catcher
from tools.postgres_server import PostgresServer
from tools.redis_server import running_redis
from tools.sandbox_connections import connection_env

SHARED_SETTINGS = REPO_ROOT / "deploy" / "airflow.env"
STAGING_INIT = REPO_ROOT / "deploy" / "postgres-init" / "10-staging-db.sh"
AIRFLOW_INIT = REPO_ROOT / "deploy" / "airflow_init.py"
STAGING_DATABASE, STAGING_USER = "pxsync_staging", "pxsync"
INIT_TIMEOUT = 600.0
WORKER_READY = b" ready."  # celery's banner line once the worker consumes


@dataclass(frozen=True)
class ClusterConfig:
    """``make airflow``'s locations and ports, how many Celery workers, and Airflow settings that override
    ``deploy/airflow.env`` (the test shortens the lost-worker timeout)."""

    standalone: StandaloneConfig
    workers: int = 2
    overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def secrets_file(self) -> Path:
        return self.standalone.home / ".env"


@dataclass
class Cluster:
    """A running cluster: the Airflow parts (``running``: sandbox, PostgreSQL, env, login, components), the
    broker's port and the workers' names (their component names and task-instance hostnames)."""

    running: Standalone
    redis_port: int
    workers: list[str]
    log_starts: dict[str, int] = field(default_factory=dict)  # where each worker's current start logs

    def start_worker(self, name: str) -> None:
        """``airflow celery worker`` as ``name``, with its own log-server port and task-instance hostname."""
        env = {
            **self.running.env,
            "PXSYNC_WORKER_NAME": name,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tools.worker_hostname.worker_hostname",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "PYTHONPATH": os.pathsep.join([self.running.env["PYTHONPATH"], str(REPO_ROOT)]),
        }
        components = self.running.components
        log = components.log(name)
        self.log_starts[name] = log.stat().st_size if log.exists() else 0
        components.start_one(name, ["celery", "worker", "--celery-hostname", f"{name}@%h"], env)
        if name not in self.workers:
            self.workers.append(name)

    def ready(self, name: str) -> bool:
        """Whether worker ``name`` logged Celery's ready line since its latest start."""
        with self.running.components.log(name).open("rb") as log:
            log.seek(self.log_starts[name])
            return WORKER_READY in log.read()

    def wait_for_workers(self, timeout: float) -> None:
        """Until every worker's log shows Celery's ready line; a component that exits raises at once."""
        components = self.running.components
        deadline = time.monotonic() + timeout
        waiting = list(self.workers)
        while waiting:
            if dead := components.dead():
                raise ComponentDied(components, dead)
            if time.monotonic() > deadline:
                raise TimeoutError(f"Celery workers not ready within {timeout:.0f}s: {waiting}")
            waiting = [w for w in waiting if not self.ready(w)]
            time.sleep(0.5)


def cluster_secrets(path: Path) -> dict[str, str]:
    """The secrets compose reads from ``.env``, generated on the first start and kept (0600) in ``path``:
    the metadata stays readable (Fernet key) and the login stays the same across starts."""
    if path.exists():
        return read_env_file(path)
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "STAGING_DB_PASSWORD": secrets.token_hex(16),
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "PXSYNC_TOKEN_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW_ADMIN_USER": ADMIN,
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_urlsafe(12),
    }
    write_env_file(path, values, "make cluster's generated secrets (the .env of docker-compose.yaml's names)")
    return values


def compose_databases(server: PostgresServer, secret: Mapping[str, str]) -> None:
    """What compose's postgres service creates: the metadata database owned by ``airflow``, then its init
    script's staging user and database. The sandboxes start from their seed, so an earlier session's staging
    database (its crosswalk names records they lack) is dropped first."""
    admin = psycopg2.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = 'airflow'")
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(f"{verb} ROLE airflow LOGIN PASSWORD %s", (secret["POSTGRES_PASSWORD"],))
        cursor.execute(f'ALTER DATABASE "{METADATA_DATABASE}" OWNER TO airflow')
        cursor.execute(f"DROP DATABASE IF EXISTS {STAGING_DATABASE} WITH (FORCE)")
        cursor.execute(f"DROP ROLE IF EXISTS {STAGING_USER}")
    admin.close()
    env = {
        **os.environ,
        "PATH": f"{server.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "POSTGRES_USER": "postgres",
        "POSTGRES_DB": METADATA_DATABASE,
        "STAGING_DB_PASSWORD": secret["STAGING_DB_PASSWORD"],
    }
    subprocess.run(["bash", str(STAGING_INIT)], env=env, check=True, capture_output=True, timeout=60)


def init_env(sandbox: SandboxProcess, smtp_port: int, secret: Mapping[str, str]) -> dict[str, str]:
    """The ``PROCORE_*`` / ``XERO_*`` / ``SMTP_*`` / admin variables compose's init reads, for the sandboxes
    and the mail catcher: the init makes the connections from them, as it would for real hosts."""
    connections = connection_env(sandbox)
    procore = json.loads(connections["AIRFLOW_CONN_PROCORE_DEFAULT"])
    xero = json.loads(connections["AIRFLOW_CONN_XERO_DEFAULT"])
    return {
        "AIRFLOW_ADMIN_USER": secret["AIRFLOW_ADMIN_USER"],
        "AIRFLOW_ADMIN_PASSWORD": secret["AIRFLOW_ADMIN_PASSWORD"],
        "PROCORE_BASE_URL": procore["host"],
        "PROCORE_TOKEN_URL": procore["extra"]["token_url"],
        "PROCORE_CLIENT_ID": procore["login"],
        "PROCORE_CLIENT_SECRET": procore["password"],
        "PROCORE_COMPANY_ID": str(procore["extra"]["company_id"]),
        "PROCORE_GRANT_TYPE": procore["extra"]["grant_type"],
        "XERO_BASE_URL": xero["host"],
        "XERO_TOKEN_URL": xero["extra"]["token_url"],
        "XERO_CLIENT_ID": xero["login"],
        "XERO_CLIENT_SECRET": xero["password"],
        "XERO_TENANT_ID": xero["extra"]["tenant_id"],
        "XERO_GRANT_TYPE": xero["extra"]["grant_type"],
        "XERO_REFRESH_TOKEN": xero["extra"]["refresh_token"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
    }


def cluster_env(
    config: ClusterConfig,
    base: dict[str, str],
    postgres: PostgresServer,
    redis_port: int,
    secret: Mapping[str, str],
) -> dict[str, str]:
    """Every Airflow process's environment: ``make airflow``'s (paths, DAGs, API on loopback) without its
    connection variables (the init stores the connections, as compose's does), then ``deploy/airflow.env``,
    then what compose's ``environment:`` sets, with loopback ports for its service names."""
    metadata = f"airflow:{secret['POSTGRES_PASSWORD']}@127.0.0.1:{postgres.port}/{METADATA_DATABASE}"
    return {
        **{k: v for k, v in base.items() if not k.startswith("AIRFLOW_CONN_")},
        **read_env_file(SHARED_SETTINGS),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{metadata}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://{metadata}",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CORE__FERNET_KEY": secret["AIRFLOW_FERNET_KEY"],
        "AIRFLOW__API_AUTH__JWT_SECRET": secret["AIRFLOW_JWT_SECRET"],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{config.standalone.base_url}/execution/",
        "PXSYNC_TOKEN_KEY": secret["PXSYNC_TOKEN_KEY"],
        **config.overrides,
    }


@contextmanager
def running_cluster(
    config: ClusterConfig,
    timeout: float = 300,
    on_mail: Callable[[Path, EmailMessage], None] | None = None,
) -> Iterator[Cluster]:
    """Everything up (init done, components healthy, workers consuming) until exit, then stopped."""
    home = config.standalone.home
    home.mkdir(parents=True, exist_ok=True)
    secret = cluster_secrets(config.secrets_file)
    port = config.standalone.postgres_port or free_port()
    staging = f"{STAGING_USER}:{secret['STAGING_DB_PASSWORD']}@127.0.0.1:{port}/{STAGING_DATABASE}"
    standalone = replace(
        config.standalone, postgres_port=port, staging_url=f"postgresql+psycopg2://{staging}"
    )
    with ExitStack() as stack:
        sandbox, postgres = start_home(standalone, stack)
        compose_databases(postgres, secret)
        redis_port = stack.enter_context(running_redis(home / "redis"))
        smtp_port = stack.enter_context(mail_catcher(standalone.mail_dir, standalone.smtp_port, on_mail))
        base = airflow_env(standalone, sandbox, postgres.url(METADATA_DATABASE), smtp_port)
        env = cluster_env(replace(config, standalone=standalone), base, postgres, redis_port, secret)
        logs = standalone.component_logs
        init = [str(AIRFLOW_INIT)]  # run_airflow runs `airflow <args>`: the init is a Python script
        run_init(init, {**env, **init_env(sandbox, smtp_port, secret)}, logs / "airflow-init.log")
        components = Components(AIRFLOW, env, logs)
        running = Standalone(standalone, sandbox, postgres, env, secret["AIRFLOW_ADMIN_PASSWORD"], components)
        cluster = Cluster(running, redis_port, [])
        stack.callback(components.stop)
        components.start()
        for number in range(1, config.workers + 1):
            cluster.start_worker(f"worker-{number}")
        wait_until_healthy(running, timeout)
        cluster.wait_for_workers(timeout)
        yield cluster


def run_init(args: list[str], env: dict[str, str], log: Path) -> None:
    """Compose's ``airflow-init`` (``python deploy/airflow_init.py``) to completion, its output to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        done = subprocess.run(
            [sys.executable, *args], env=env, stdout=output, stderr=subprocess.STDOUT, timeout=INIT_TIMEOUT
        )
    if done.returncode:
        raise RuntimeError(f"airflow-init failed ({done.returncode}); {log}:\n{tail(log)}")


def main(argv: list[str] | None = None) -> int:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--workers", type=int, default=2, help="Celery workers (default %(default)s)")
    known, rest = own.parse_known_args(argv)
    if "-h" in rest or "--help" in rest:
        own.print_help()
    config = ClusterConfig(parse_args(rest), workers=known.workers)

    def run(started: float) -> None:
        with running_cluster(config, on_mail=print_mail) as cluster:
            text = banner(cluster.running, time.monotonic() - started)
            staging_password = read_env_file(config.secrets_file)["STAGING_DB_PASSWORD"]
            print(text.replace(staging_password, "***"), flush=True)  # it is in the home's .env
            print(f"CeleryExecutor: {', '.join(cluster.workers)} on Redis :{cluster.redis_port}", flush=True)
            watch(cluster.running)

    return run_launcher(
        "make cluster",
        f"Starting PostgreSQL, Redis, the sandboxes and Airflow on Celery in {config.standalone.home} …",
        run,
    )


if __name__ == "__main__":
    raise SystemExit(main())
