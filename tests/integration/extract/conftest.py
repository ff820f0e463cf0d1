"""Staging on SQLite and PostgreSQL for the extract tests, and the helpers they share."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import count

import pytest
from sqlalchemy import Engine, func, select

from procore_xero.staging import TaskTry, create_staging_engine, ensure_schema, staging_table
from sandbox.process import SandboxProcess

_runs = count(1)


@pytest.fixture
def staging(database_url: str) -> Iterator[Engine]:
    """A migrated staging database (not ``open_staging``'s cache: PostgreSQL is wiped per test)."""
    engine = create_staging_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def task_try(task_id: str) -> TaskTry:
    """A fresh Airflow-like task try for each extract run."""
    return TaskTry("extract_test", f"run_{next(_runs)}", task_id)


def staged_count(engine: Engine, system: str, object_type: str) -> int:
    table = staging_table(system, object_type)
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def staged_raw(engine: Engine, system: str, object_type: str, record_id: object) -> dict:
    table = staging_table(system, object_type)
    with engine.connect() as connection:
        return connection.execute(select(table.c.raw).where(table.c.id == record_id)).scalar_one()


def minimum_calls(records: int, page_size: int) -> int:
    """Records ÷ page size, rounded up; an empty list still costs its one call."""
    return max(1, math.ceil(records / page_size))


def api_calls(sandbox: SandboxProcess, service: str, route: str) -> int:
    """Calls the emulator counted for ``METHOD /route/template`` (its own bookkeeping, not the client's)."""
    return int(sandbox.admin(service, "GET", "stats")["calls"].get(route, 0))
