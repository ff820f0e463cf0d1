"""Shared set-up for running the extract DAGs in-process against a sandbox (tests, ``make demo``, bench)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from procore_xero.staging import create_staging_engine, staging_table
from sandbox.process import REPO_ROOT, SandboxProcess
from tools.sandbox_connections import connection_env

# Throttling is the clients tests' subject: in-process DAG runs would only wait out the spike window.
RAISED_LIMITS: dict[str, dict[str, int]] = {
    "procore": {"hourly": 10**9, "spike": 10**9},
    "xero": {"minute": 10**9, "daily": 10**9, "app_minute": 10**9},
}


def extract_env(sandbox: SandboxProcess, staging_url: str) -> dict[str, str]:
    """Connections, staging database and a throwaway token key for extracts against ``sandbox``."""
    return {
        **connection_env(sandbox),
        "STAGING_DB_URL": staging_url,
        "PXSYNC_TOKEN_KEY": Fernet.generate_key().decode(),
    }


def airflow_home_env(home: Path) -> dict[str, str]:
    """An ``AIRFLOW_HOME`` with a SQLite metadata database in it and this project's DAGs."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }


@contextmanager
def patched_environ(env: dict[str, str]) -> Iterator[None]:
    """Set ``env`` in ``os.environ`` for the block, then restore what was there."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def settings_file(path: Path, controller_emails: tuple[str, ...] = (), **enabled: bool) -> Path:
    """A copy of the default settings at ``path`` with objects switched on or off
    (``xero_purchase_orders=True``) and, if given, who gets the mail, for ``PXSYNC_SETTINGS``."""
    import yaml

    from procore_xero.mapping.spec import DEFAULT_PATH

    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    if controller_emails:
        document["settings"]["controller_emails"] = list(controller_emails)
    for name, value in enabled.items():
        document["objects"][name]["enabled"] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def raise_limits(sandbox: SandboxProcess, limits: dict[str, dict[str, Any]] = RAISED_LIMITS) -> None:
    """Lift the emulators' rate limits (``POST /_sandbox/limits``)."""
    for service, values in limits.items():
        sandbox.admin(service, "POST", "limits", values)


def init_airflow_db() -> None:
    """A fresh, initialised Airflow metadata database (the configured one; SQLite here)."""
    from airflow.utils.db import resetdb

    resetdb(skip_init=False)


def load_dag(dag_id: str) -> Any:
    """The DAG from its file in ``dags/``, parsed as the DAG processor would."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO_ROOT / "dags" / f"{dag_id}.py"), safe_mode=False).dags[dag_id]


def sandbox_now(sandbox: SandboxProcess) -> datetime:
    """The emulators' clock (a run's logical date must match the data's timeline)."""
    return datetime.fromisoformat(sandbox.admin("procore", "GET", "clock")["now"].replace("Z", "+00:00"))


def staged_counts(url: str, system: str, names: list[str]) -> dict[str, int]:
    """Rows per staging table of ``system``."""
    engine = create_staging_engine(url)
    with engine.connect() as connection:
        return {name: connection.execute(count_rows(system, name)).scalar_one() for name in names}


def count_rows(system: str, name: str) -> Any:
    """``SELECT count(*)`` of one staging table."""
    return select(func.count()).select_from(staging_table(system, name))
