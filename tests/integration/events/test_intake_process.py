"""The intake as ``make airflow`` starts it: its own process, the session's token, answering at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from procore_xero.staging import create_staging_engine
from procore_xero.staging.schema import feed_deliveries
from sandbox.process import free_port
from tools.intake_process import TOKEN_ENV, URL_ENV, intake_env, running_intake

EVENT = {
    "ulid": "01EDPD2J6SBY1163N77H95GW09",
    "company_id": 6452,
    "project_id": 219542,
    "resource_name": "Direct Costs",
    "resource_id": 245510722,
    "event_type": "update",
    "timestamp": "2026-12-05T15:22:01.353581Z",
}


def test_the_intake_process_stores_a_verified_delivery(tmp_path: Path) -> None:
    port = free_port()
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    env = {**os.environ, "STAGING_DB_URL": url, **intake_env(port)}
    with running_intake(env, port, tmp_path / "intake.log"):
        headers = {"Authorization": f"Bearer {env[TOKEN_ENV]}"}
        started = time.monotonic()
        first = requests.post(env[URL_ENV], json=EVENT, headers=headers, timeout=5)
        seconds = time.monotonic() - started
        again = requests.post(env[URL_ENV], json=EVENT, headers=headers, timeout=5)
        forged = requests.post(env[URL_ENV], json=EVENT, headers={"Authorization": "Bearer guess"}, timeout=5)
        broken = requests.post(
            env[URL_ENV], json={**EVENT, "event_type": "explode"}, headers=headers, timeout=5
        )
    assert (first.status_code, first.json()) == (200, {"stored": 1, "duplicates": 0})
    assert seconds < 5.0
    assert (again.json(), forged.status_code, broken.status_code) == (
        {"stored": 0, "duplicates": 1},
        401,
        400,
    )
    assert (
        broken.json()["error"]
        == f"event {EVENT['ulid']}: event_type must be create, update or delete, got 'explode'"
    )
    log = (tmp_path / "intake.log").read_text()
    assert "refused /procore delivery" in log and "401" in log
    with create_staging_engine(url).connect() as connection:
        assert connection.execute(select(func.count()).select_from(feed_deliveries)).scalar_one() == 1
