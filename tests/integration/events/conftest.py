"""The webhook intake served for real on loopback (uvicorn in a thread) over a fresh SQLite staging file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine, select

from procore_xero.events.intake import create_intake_app
from procore_xero.staging import create_staging_engine, ensure_schema
from procore_xero.staging.schema import feed_deliveries
from sandbox.process import free_port

PROCORE_TOKEN = "procore-hook-secret-for-tests"
XERO_KEY = "xero-webhook-key-for-tests"


@dataclass
class Intake:
    url: str
    engine: Engine

    def rows(self) -> list[dict]:
        with self.engine.connect() as connection:
            query = select(feed_deliveries).order_by(feed_deliveries.c.id)
            return [dict(row._mapping) for row in connection.execute(query)]

    def wait_for_rows(self, count: int, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.rows()
            if len(rows) >= count:
                return rows
            time.sleep(0.05)
        return self.rows()


@pytest.fixture
def intake_db(tmp_path: Path) -> str:
    """The staging database the intake stores into: a fresh file (a module may override this fixture)."""
    return f"sqlite:///{tmp_path / 'staging.db'}"


@pytest.fixture
def intake(intake_db: str) -> Iterator[Intake]:
    engine = create_staging_engine(intake_db)
    ensure_schema(engine)
    app = create_intake_app(engine, procore_token=PROCORE_TOKEN, xero_key=XERO_KEY)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield Intake(f"http://127.0.0.1:{port}", engine)
    server.should_exit = True
    thread.join(timeout=10)
