"""The runtime lock (``requirements-runtime.txt``, all the Docker image installs) is complete on its own: it
installs alone into a fresh virtualenv with no index (from a wheelhouse ``pip download`` fills from the
registry once, in ``out/wheelhouse``), holds no development tool, every DAG parses with it, and the hourly
cycle runs with it: the DAGs through ``dag.test()`` in that virtualenv's python (runtime_cycle.py), against
the sandboxes started from it too (the compose file's sandbox profile runs them from the image), mail going
to a real SMTP server on loopback. The end state is the cluster test's (end_state.py)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tests.airflow_fixtures import dag_env
from tests.cluster.end_state import check_end_state
from tests.cluster.runtime_cycle import MONTH_END
from tests.dags.test_procore_to_xero import xero_tenant
from tools.airflow_standalone import DEMO_CONTROLLER
from tools.extract_env import airflow_home_env, patched_environ, raise_limits, sandbox_now, settings_file
from tools.mail_folder import mail_catcher, smtp_connection

pytestmark = pytest.mark.slow

RUNTIME_LOCK = REPO_ROOT / "requirements-runtime.txt"
WHEELHOUSE = REPO_ROOT / "out" / "wheelhouse"
DAG_IDS = {path.stem for path in (REPO_ROOT / "dags").glob("*.py")}  # one DAG per file, named after it
SCALE = 0.1  # of the demo seed, as the cluster test runs it
DEV_TOOLS = ("pytest", "ruff", "playwright", "pip_audit", "aiosmtpd", "xero_python")
PARSE = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
errors = {path: str(error)[-500:] for path, error in bag.import_errors.items()}
print(json.dumps({"dags": sorted(bag.dag_ids), "errors": errors}))
"""


def run(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh virtualenv holding the runtime lock alone, installed once for the module."""
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "download", "--quiet", "--no-deps", "-r", RUNTIME_LOCK, "-d", WHEELHOUSE)
    root = tmp_path_factory.mktemp("runtime-venv")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    python = root / "venv" / "bin" / "python"
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        WHEELHOUSE,
        "-r",
        RUNTIME_LOCK,
    )
    run(python, "-m", "pip", "check")
    return python


def runtime_env(python: Path, tmp_path: Path) -> dict[str, str]:
    """An environment holding nothing of the development virtualenv: its python first on PATH, a throwaway
    HOME and AIRFLOW_HOME (SQLite metadata), the project on PYTHONPATH (the image installs it)."""
    return {
        **airflow_home_env(tmp_path / "airflow"),
        "PATH": str(python.parent),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT / "include"),
    }


def test_the_runtime_lock_installs_alone_and_every_dag_parses(runtime_python: Path, tmp_path: Path) -> None:
    installed = run(runtime_python, "-m", "pip", "list", "--format=json")
    names = {p["name"].lower().replace("-", "_") for p in json.loads(installed)}
    assert not names & set(DEV_TOOLS), names & set(DEV_TOOLS)
    assert {"apache_airflow_providers_celery", "apache_airflow_providers_redis", "celery", "redis"} <= names

    env = {**runtime_env(runtime_python, tmp_path), "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"}
    parsed = json.loads(
        run(runtime_python, "-c", PARSE, REPO_ROOT / "dags", env=env).strip().splitlines()[-1]
    )
    assert parsed["errors"] == {}
    assert set(parsed["dags"]) == DAG_IDS


@pytest.fixture
def runtime_sandbox(runtime_python: Path, tmp_path: Path) -> Iterator[SandboxProcess]:
    """The emulators served by the runtime virtualenv's python (the compose file runs them from the image),
    a tenth of the demo seed, limits raised."""
    with patched_environ({"PYTHONPATH": str(REPO_ROOT / "include")}):
        sandbox = start_sandbox(tmp_path / "sandbox.log", "--scale", str(SCALE), python=runtime_python)
    try:
        assert psutil.Process(sandbox.process.pid).cmdline()[0] == str(runtime_python)
        raise_limits(sandbox)
        yield sandbox
    finally:
        sandbox.stop()


def test_the_hourly_cycle_runs_on_the_runtime_lock(
    runtime_python: Path, runtime_sandbox: SandboxProcess, tmp_path: Path
) -> None:
    sandbox = runtime_sandbox
    before = xero_tenant(sandbox)
    day = sandbox_now(sandbox).date().isoformat()
    staging = f"sqlite:///{tmp_path / 'staging.db'}"
    settings = settings_file(tmp_path / "mailed-settings.yaml", controller_emails=(DEMO_CONTROLLER,))
    mail_dir = tmp_path / "mail"
    with mail_catcher(mail_dir) as smtp_port:
        env = {
            **dag_env(sandbox, staging, tmp_path),
            **runtime_env(runtime_python, tmp_path),
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "include"), str(REPO_ROOT)]),  # + tests, tools
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # the approval answered as the tests do
            "AIRFLOW_CONN_SMTP_DEFAULT": smtp_connection(smtp_port),
            "PXSYNC_SETTINGS": str(settings),
        }
        started, cpu = time.monotonic(), children_cpu_seconds()
        cycle = [runtime_python, "-m", "tests.cluster.runtime_cycle", sandbox.procore_url, sandbox.xero_url]
        run(*cycle, tmp_path, day, env=env)
        seconds, cpu = time.monotonic() - started, children_cpu_seconds() - cpu
    month_end = json.loads((tmp_path / MONTH_END).read_text())
    figures = check_end_state(sandbox, staging, before, month_end, (mail_dir, day, DEMO_CONTROLLER))
    cost = {
        "cycle_seconds": round(seconds, 1),
        "cycle_cpu_seconds": round(cpu, 1),
        "load_1min": os.getloadavg()[0],
    }
    print(json.dumps({**cost, **figures}, indent=2))


def children_cpu_seconds() -> float:
    """CPU time of the finished child processes (the cycle's python): its cost apart from the load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
