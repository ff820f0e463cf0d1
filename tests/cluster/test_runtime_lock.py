"""The runtime lock (``requirements-runtime.txt``, all the Docker image installs) is complete on its own: it
installs alone into a fresh virtualenv with no index (from a wheelhouse ``pip download`` fills from the
registry once, in ``out/wheelhouse``), holds no development tool, and every DAG parses with it."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from sandbox.process import REPO_ROOT

pytestmark = pytest.mark.slow

RUNTIME_LOCK = REPO_ROOT / "requirements-runtime.txt"
WHEELHOUSE = REPO_ROOT / "out" / "wheelhouse"
DAG_IDS = {path.stem for path in (REPO_ROOT / "dags").glob("*.py")}  # one DAG per file, named after it
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


def test_the_runtime_lock_installs_alone_and_every_dag_parses(tmp_path: Path) -> None:
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "download", "--quiet", "--no-deps", "-r", RUNTIME_LOCK, "-d", WHEELHOUSE)
    venv.EnvBuilder(with_pip=True).create(tmp_path / "venv")
    python = tmp_path / "venv" / "bin" / "python"
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
    installed = run(python, "-m", "pip", "list", "--format=json")
    names = {p["name"].lower().replace("-", "_") for p in json.loads(installed)}
    assert not names & set(DEV_TOOLS), names & set(DEV_TOOLS)
    assert {"apache_airflow_providers_celery", "apache_airflow_providers_redis", "celery", "redis"} <= names

    home = tmp_path / "airflow"
    env = {
        "PATH": str(python.parent),
        "HOME": str(tmp_path),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "PYTHONPATH": str(REPO_ROOT / "include"),  # the image installs the project; here it is on the path
    }
    parsed = json.loads(run(python, "-c", PARSE, REPO_ROOT / "dags", env=env).strip().splitlines()[-1])
    assert parsed["errors"] == {}
    assert set(parsed["dags"]) == DAG_IDS
