from pathlib import Path

import pytest
from sqlalchemy import Engine

from procore_xero.staging import MIGRATIONS, create_staging_engine, open_staging, staging_url
from procore_xero.staging.migrations import schema_version_of


def test_default_url_is_a_sqlite_file_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("STAGING_DB_URL", raising=False)
    monkeypatch.setenv("PXSYNC_DATA_DIR", str(tmp_path / "new-data"))
    assert staging_url() == f"sqlite:///{tmp_path / 'new-data' / 'staging.db'}"
    assert (tmp_path / "new-data").is_dir()
    monkeypatch.setenv("STAGING_DB_URL", "postgresql+psycopg2://u@db/staging")
    assert staging_url() == "postgresql+psycopg2://u@db/staging"


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 's.db'}")
    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    assert pragma == {"journal_mode": "wal", "busy_timeout": 60000, "foreign_keys": 1}
    engine.dispose()


def test_open_staging_returns_one_migrated_engine_per_url(database_url: str) -> None:
    engine: Engine = open_staging(database_url)
    assert open_staging(database_url) is engine
    with engine.connect() as connection:
        assert schema_version_of(connection) == len(MIGRATIONS)
    engine.dispose()
