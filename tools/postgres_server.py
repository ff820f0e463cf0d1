"""A PostgreSQL server of our own from Debian's package (initdb + pg_ctl), on loopback.

Two uses, one code path: the tests' throwaway cluster (a temp dir, no fsync, deleted on stop) and
``make airflow``'s durable metadata cluster (a directory in AIRFLOW_HOME, initialised once, started again
on each run). PostgreSQL refuses to run as root, so as root the cluster belongs to (and runs as)
``postgres``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from sandbox.process import free_port

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql/*/bin. "
    "Install Debian's `postgresql` package (apt-get install postgresql), as CI does, "
    "or set PXSYNC_SKIP_POSTGRES=1 to skip the PostgreSQL variants of the tests."
)
# A throwaway cluster may lose everything on a crash; a durable one only its last commits (no corruption).
THROWAWAY_OPTIONS = "-c fsync=off -c full_page_writes=off"
DURABLE_OPTIONS = "-c synchronous_commit=off"


def find_postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresServer:
    """One cluster under ``root`` (``data/``, ``server.log``, the socket) listening on ``port``."""

    root: Path
    port: int
    bin_dir: Path
    throwaway: bool

    @property
    def run_as(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def pg(self, program: str, *args: str, check: bool = True) -> int:
        """Run a server program (as ``postgres`` when we are root); its exit code."""
        command = [*self.run_as, str(self.bin_dir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result.returncode

    def running(self) -> bool:
        """``pg_ctl status``: 0 while the postmaster of this data directory lives."""
        return self.data.exists() and self.pg("pg_ctl", "-D", str(self.data), "status", check=False) == 0

    def ensure_database(self, name: str) -> None:
        """``CREATE DATABASE name`` unless it exists (a durable cluster keeps its databases)."""
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()

    def stop(self) -> None:
        """A throwaway cluster is killed and deleted; a durable one shut down cleanly and kept."""
        mode = "immediate" if self.throwaway else "fast"
        self.pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)
        if self.throwaway:
            shutil.rmtree(self.root, ignore_errors=True)


def start_postgres(bin_dir: Path, root: Path | None = None, port: int | None = None) -> PostgresServer:
    """Start a cluster on ``port`` (else a free one): a throwaway one in a temp dir when ``root`` is None,
    else the durable one in ``root``, initialised on first use. A server left running in ``root`` by a
    killed launcher is stopped first, so a start never fails on a stale one."""
    throwaway = root is None
    root = Path(tempfile.mkdtemp(prefix="pxsync-pg-")) if root is None else root
    server = PostgresServer(root, port or free_port(), bin_dir, throwaway)
    options = f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 "
    options += THROWAWAY_OPTIONS if throwaway else DURABLE_OPTIONS
    try:
        root.mkdir(parents=True, exist_ok=True)
        if server.run_as:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        if not (server.data / "PG_VERSION").exists():
            sync = ["--no-sync"] if throwaway else []
            server.pg("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", *sync)
        elif server.running():
            server.pg("pg_ctl", "-D", str(server.data), "-m", "fast", "-w", "stop")
        server.pg("pg_ctl", "-D", str(server.data), "-l", str(server.log), "-o", options, "-w", "start")
    except Exception:
        print(server.log.read_text()[-3000:] if server.log.exists() else "(no server log)")
        server.stop()
        raise
    return server
