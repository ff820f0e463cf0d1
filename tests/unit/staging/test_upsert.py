import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, Text, func, select, type_coerce

from procore_xero.staging import (
    StagingKey,
    StagingRecordError,
    UpsertCounts,
    create_staging_engine,
    jsoncodec,
    staging_table,
    upsert_records,
)

COMPANY = StagingKey(company_id=4_000_000_123, project_id=5_000_000_001)
TENANT = StagingKey(tenant_id="8a1f7c2e-1b2c-4d5e-9f00-aabbccddeeff")
BIG_ID = 9_007_199_254_740_993  # > 2**53 and > 2**32


def _line(record_id: int, amount: str, **extra: object) -> dict:
    return {
        "id": record_id,
        "amount": Decimal(amount),
        "updated_at": "2026-03-01T10:00:00Z",
        "deleted_at": None,
        **extra,
    }


def _rows(engine: Engine, system: str, object_type: str) -> dict:
    table = staging_table(system, object_type)
    with engine.connect() as connection:
        return {row.id: row._asdict() for row in connection.execute(select(table))}


def test_insert_then_rerun_is_all_unchanged_and_moves_only_last_seen(staging_engine: Engine) -> None:
    records = [_line(BIG_ID, "1234567890.12"), _line(2, "-5.50"), _line(3, "0.1"), _line(4, "1E-7")]
    first = upsert_records(
        staging_engine, "procore", "budget_view_detail_rows", records, key=COMPANY, run_id="run-1"
    )
    assert first == UpsertCounts(inserted=4)
    before = _rows(staging_engine, "procore", "budget_view_detail_rows")

    again = upsert_records(
        staging_engine, "procore", "budget_view_detail_rows", records, key=COMPANY, run_id="run-2"
    )
    assert again == UpsertCounts(unchanged=4)
    after = _rows(staging_engine, "procore", "budget_view_detail_rows")
    for record_id, row in after.items():
        assert row["last_seen_at"] > before[record_id]["last_seen_at"]
        assert {k: v for k, v in row.items() if k != "last_seen_at"} == {
            k: v for k, v in before[record_id].items() if k != "last_seen_at"
        }
    big = after[BIG_ID]
    assert (big["company_id"], big["project_id"], big["last_run_id"]) == (
        4_000_000_123,
        5_000_000_001,
        "run-1",
    )
    assert big["updated_at"] == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert big["deleted"] is False
    assert big["content_hash"] == jsoncodec.content_hash(records[0])


def test_money_comes_back_as_the_exact_decimal(staging_engine: Engine) -> None:
    amounts = ["0.1", "1234567890.12", "-5.50", "1E-7", "0.000000001", "99999999999999.99"]
    records = [_line(i, amount, lines=[{"amount": Decimal(amount)}]) for i, amount in enumerate(amounts, 1)]
    upsert_records(staging_engine, "procore", "requisitions", records, key=COMPANY, run_id="r")
    rows = _rows(staging_engine, "procore", "requisitions")
    for i, amount in enumerate(amounts, 1):
        raw = rows[i]["raw"]
        assert raw == records[i - 1]
        assert str(raw["amount"]) == str(Decimal(amount)) and str(raw["lines"][0]["amount"]) == str(
            Decimal(amount)
        )
    table = staging_table("procore", "requisitions")
    with staging_engine.connect() as connection:
        stored = connection.execute(
            select(type_coerce(table.c.raw, Text)).where(table.c.id == 3)
        ).scalar_one()
    assert '"amount":-5.50' in stored and '"amount":-5.50}]' in stored


def test_changed_record_updates_content_and_keeps_first_seen(staging_engine: Engine) -> None:
    upsert_records(
        staging_engine, "procore", "vendors", [_line(1, "1.00"), _line(2, "2.00")], key=COMPANY, run_id="a"
    )
    before = _rows(staging_engine, "procore", "vendors")
    changed = [
        _line(1, "1.01", updated_at="2026-03-02T00:00:00Z"),
        _line(2, "2.00"),
        _line(3, "3.00", deleted_at="2026-03-02T00:00:00Z"),
    ]
    counts = upsert_records(staging_engine, "procore", "vendors", changed, key=COMPANY, run_id="b")
    assert counts == UpsertCounts(inserted=1, updated=1, unchanged=1, deleted=1)
    after = _rows(staging_engine, "procore", "vendors")
    assert after[1]["raw"]["amount"] == Decimal("1.01") and after[1]["last_run_id"] == "b"
    assert after[1]["updated_at"] == datetime(2026, 3, 2, tzinfo=UTC)
    assert after[1]["first_seen_at"] == before[1]["first_seen_at"]
    assert after[2]["last_run_id"] == "a"
    assert after[3]["deleted"] is True


def test_xero_keys_statuses_and_date_format(staging_engine: Engine) -> None:
    invoices = [
        {
            "InvoiceID": "inv-1",
            "Status": "VOIDED",
            "Total": Decimal("10.00"),
            "UpdatedDateUTC": "/Date(1552262400000+0000)/",
        },
        {
            "InvoiceID": "inv-2",
            "Status": "DELETED",
            "Total": Decimal("0.00"),
            "UpdatedDateUTC": "2019-03-11T00:00:00",
        },
    ]
    counts = upsert_records(staging_engine, "xero", "invoices", invoices, key=TENANT, run_id="x")
    assert counts == UpsertCounts(inserted=2, deleted=1)
    rows = _rows(staging_engine, "xero", "invoices")
    assert rows["inv-1"]["deleted"] is False and rows["inv-2"]["deleted"] is True
    assert rows["inv-1"]["updated_at"] == rows["inv-2"]["updated_at"] == datetime(2019, 3, 11, tzinfo=UTC)
    assert rows["inv-1"]["tenant_id"] == TENANT.tenant_id
    currencies = [
        {"Code": "AUD", "Description": "Australian Dollar"},
        {"Code": "NZD", "Description": "NZ Dollar"},
    ]
    assert (
        upsert_records(staging_engine, "xero", "currencies", currencies, key=TENANT, run_id="x").inserted == 2
    )
    assert _rows(staging_engine, "xero", "currencies")["NZD"]["updated_at"] is None


def test_duplicate_key_in_one_batch_counts_once_and_last_copy_wins(staging_engine: Engine) -> None:
    records = [_line(7, "1.00"), _line(7, "2.00")]
    assert upsert_records(
        staging_engine, "procore", "cost_codes", records, key=COMPANY, run_id="r"
    ) == UpsertCounts(inserted=1)
    assert _rows(staging_engine, "procore", "cost_codes")[7]["raw"]["amount"] == Decimal("2.00")


def test_many_records_are_chunked(staging_engine: Engine) -> None:
    records = [_line(i, f"{i}.01") for i in range(1, 5_001)]
    assert (
        upsert_records(staging_engine, "procore", "direct_costs", records, key=COMPANY, run_id="r").inserted
        == 5000
    )
    records[4321] = _line(4322, "0.02")
    counts = upsert_records(staging_engine, "procore", "direct_costs", records, key=COMPANY, run_id="r")
    assert counts == UpsertCounts(updated=1, unchanged=4999)


def test_missing_key_names_type_field_and_position_and_writes_nothing(staging_engine: Engine) -> None:
    records = [_line(1, "1.00"), {"amount": Decimal("2.00")}]
    with pytest.raises(StagingRecordError, match=r"procore commitment_line_items record #1 has no 'id'"):
        upsert_records(staging_engine, "procore", "commitment_line_items", records, key=COMPANY, run_id="r")
    with pytest.raises(StagingRecordError, match=r"xero payments record #0 has no 'PaymentID'"):
        upsert_records(staging_engine, "xero", "payments", [{"Amount": Decimal(1)}], key=TENANT, run_id="r")
    assert _rows(staging_engine, "procore", "commitment_line_items") == {}


def test_bad_timestamp_is_a_record_error(staging_engine: Engine) -> None:
    with pytest.raises(StagingRecordError, match=r"record #0 \(id=1\): updated_at: not an ISO 8601"):
        upsert_records(
            staging_engine, "procore", "projects", [_line(1, "1", updated_at="soon")], key=COMPANY, run_id="r"
        )


def test_failure_inside_the_write_rolls_back_the_whole_batch(staging_engine: Engine) -> None:
    # A value the database refuses (an id > 64 bits) fails mid-write: earlier chunks must not stay.
    records = [_line(i, "1.00") for i in range(1, 2_001)] + [_line(2**70, "1.00")]
    with pytest.raises(Exception):  # noqa: B017 - the driver's overflow error differs per database
        upsert_records(staging_engine, "procore", "prime_contracts", records, key=COMPANY, run_id="r")
    assert _rows(staging_engine, "procore", "prime_contracts") == {}


def test_key_must_match_the_system(staging_engine: Engine) -> None:
    with pytest.raises(ValueError, match="xero records need a xero key"):
        upsert_records(staging_engine, "xero", "contacts", [{"ContactID": "c"}], key=COMPANY, run_id="r")


def test_parallel_writers_do_not_lock_each_other_out(staging_engine: Engine) -> None:
    url = staging_engine.url.render_as_string(hide_password=False)
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        engine = create_staging_engine(url)
        try:
            for batch in range(10):
                records = [_line(worker * 1000 + batch * 10 + i, "1.00") for i in range(10)]
                upsert_records(engine, "procore", "vendors", records, key=COMPANY, run_id=f"w{worker}")
                upsert_records(engine, "procore", "vendors", records, key=COMPANY, run_id=f"w{worker}")
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with staging_engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(staging_table("procore", "vendors"))).scalar()
            == 600
        )


def test_joins_a_callers_transaction(staging_engine: Engine) -> None:
    table = staging_table("procore", "projects")
    with staging_engine.connect() as connection:
        outer = connection.begin()
        upsert_records(connection, "procore", "projects", [_line(1, "1")], key=COMPANY, run_id="r")
        assert connection.execute(select(func.count()).select_from(table)).scalar() == 1
        outer.rollback()
    assert _rows(staging_engine, "procore", "projects") == {}
