"""Starts a throwaway PostgreSQL server (initdb + pg_ctl in a temp dir) for tests that need the real thing."""

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
DATABASE = "staging_test"


def find_postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: PATH first, else the newest Debian install."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


@dataclass
class PostgresServer:
    url: str
    root: Path
    bin_dir: Path
    run_as: list[str]

    def pg(self, program: str, *args: str, check: bool = True) -> None:
        """Run a server program (as ``postgres`` when we are root)."""
        command = [*self.run_as, str(self.bin_dir / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )

    def stop(self) -> None:
        self.pg("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres(bin_dir: Path) -> PostgresServer:
    """initdb a cluster in a temp dir, start it on a free loopback port, create ``staging_test``.

    PostgreSQL refuses to run as root, so as root the cluster belongs to (and runs as) ``postgres``.
    """
    root, port = Path(tempfile.mkdtemp(prefix="pxsync-pg-")), free_port()
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    server = PostgresServer(
        f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{DATABASE}", root, bin_dir, run_as
    )
    data, log = str(root / "data"), root / "server.log"
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    try:
        if run_as:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        server.pg("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        server.pg("pg_ctl", "-D", data, "-l", str(log), "-o", options, "-w", "start")
        admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        admin.close()
    except Exception:
        print(log.read_text() if log.exists() else "(no server log)")
        server.stop()
        raise
    return server
