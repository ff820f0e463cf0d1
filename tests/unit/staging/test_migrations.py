import threading

import pytest
from sqlalchemy import Column, Engine, String, inspect, select

from procore_xero.staging import MIGRATIONS, SchemaVersionError, create_staging_engine, ensure_schema
from procore_xero.staging.migrations import (
    add_extract_progress,
    add_feed_deliveries,
    operations,
    schema_version_of,
)
from procore_xero.staging.schema import metadata, schema_version


def _versions(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(select(schema_version.c.version)).scalars())


LATEST = len(MIGRATIONS)


def test_fresh_database_gets_every_table_stamped_at_the_latest_version(blank_engine: Engine) -> None:
    assert LATEST == 8
    assert ensure_schema(blank_engine) == LATEST
    assert set(inspect(blank_engine).get_table_names()) == set(metadata.tables)
    assert len(metadata.tables) == 27 + 12  # staged object types + the bookkeeping tables
    assert ensure_schema(blank_engine) == LATEST
    assert _versions(blank_engine) == [LATEST]


@pytest.mark.parametrize(
    ("version", "table"),
    [
        (2, "oauth_tokens"),
        (3, "procore_budget_views"),
        (4, "job_costs"),
        (5, "write_leases"),
        (6, "api_calls"),
        (MIGRATIONS.index(add_feed_deliveries) + 1, "feed_deliveries"),
        (MIGRATIONS.index(add_extract_progress) + 1, "extract_progress"),
    ],
    ids=["v2", "v3", "v4", "v5", "v6", "feed_deliveries", "extract_progress"],
)
def test_each_migration_adds_its_table_to_an_older_database(
    blank_engine: Engine, version: int, table: str
) -> None:
    ensure_schema(blank_engine, MIGRATIONS[: version - 1])
    with blank_engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {table}")  # as a database made before the table existed
    assert ensure_schema(blank_engine) == LATEST
    assert _versions(blank_engine) == [version - 1, *range(version, LATEST + 1)]
    assert table in inspect(blank_engine).get_table_names()


def test_an_appended_migration_upgrades_an_existing_database(blank_engine: Engine) -> None:
    ensure_schema(blank_engine)

    def add_vendor_region(connection) -> None:
        operations(connection).add_column("procore_vendors", Column("region", String(32), nullable=True))

    appended = [*MIGRATIONS, add_vendor_region]
    assert ensure_schema(blank_engine, appended) == LATEST + 1
    assert ensure_schema(blank_engine, appended) == LATEST + 1
    assert _versions(blank_engine) == [LATEST, LATEST + 1]
    assert "region" in {column["name"] for column in inspect(blank_engine).get_columns("procore_vendors")}
    assert len(MIGRATIONS) == LATEST
    with pytest.raises(SchemaVersionError, match=f"schema version {LATEST + 1}; this code knows {LATEST}"):
        ensure_schema(blank_engine)


def test_concurrent_callers_migrate_exactly_once(blank_engine: Engine) -> None:
    url = blank_engine.url.render_as_string(hide_password=False)
    calls: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def counted_baseline(connection) -> None:
        calls.append(1)
        MIGRATIONS[0](connection)

    def caller() -> None:
        engine = create_staging_engine(url)
        try:
            start.wait()
            ensure_schema(engine, [counted_baseline])
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(calls) == 1
    assert _versions(blank_engine) == [1]
    with blank_engine.connect() as connection:
        assert schema_version_of(connection) == 1
