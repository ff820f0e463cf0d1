"""The ``project_number`` Param as a staged project id (``airflow.tenancy.project_id``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from procore_xero.airflow.tenancy import project_id
from procore_xero.staging import StagingKey, create_staging_engine, ensure_schema
from procore_xero.staging.upsert import upsert_records

COMPANY = 42


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    yield engine
    engine.dispose()


def _stage_projects(engine: Engine) -> None:
    projects = [
        {"id": 7001, "project_number": "J-100", "name": "Harbor Tower", "updated_at": "2026-12-01T00:00:00Z"},
        {"id": 7002, "project_number": "J-200", "name": "Mill Lofts", "updated_at": "2026-12-01T00:00:00Z"},
    ]
    upsert_records(
        engine, "procore", "projects", projects, key=StagingKey(company_id=COMPANY), run_id="run-1"
    )


def test_a_job_number_names_its_staged_project(engine: Engine) -> None:
    _stage_projects(engine)
    assert project_id(engine, COMPANY, "J-200") == "7002"
    assert project_id(engine, COMPANY, None) is None


def test_an_unknown_job_number_is_an_error_not_all_projects(engine: Engine) -> None:
    _stage_projects(engine)
    with pytest.raises(ValueError, match="no staged Procore project has the job number 'J-999'"):
        project_id(engine, COMPANY, "J-999")


def test_a_company_never_extracted_is_left_to_the_skip(engine: Engine) -> None:
    """Nothing staged: None, so the step is skipped as before the Param was read (not failed)."""
    assert project_id(engine, COMPANY, "J-100") is None
