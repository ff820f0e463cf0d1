from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from procore_xero.staging import (
    StagingKey,
    clear_resume,
    get_resume,
    get_watermark,
    set_resume,
    set_watermark,
)

PROJECT = StagingKey(company_id=4_000_000_123, project_id=77)
COMPANY = StagingKey(company_id=4_000_000_123)
TENANT = StagingKey(tenant_id="8a1f7c2e-1b2c-4d5e-9f00-aabbccddeeff")
T0 = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_watermark_only_moves_forward_unless_forced(staging_engine: Engine) -> None:
    assert get_watermark(staging_engine, "direct_costs", PROJECT) is None
    assert set_watermark(staging_engine, "direct_costs", PROJECT, T0) == T0
    assert set_watermark(staging_engine, "direct_costs", PROJECT, T0 - timedelta(hours=1)) == T0
    later = T0 + timedelta(microseconds=1)
    assert set_watermark(staging_engine, "direct_costs", PROJECT, later) == later
    earlier = T0 - timedelta(days=30)
    assert set_watermark(staging_engine, "direct_costs", PROJECT, earlier, force=True) == earlier
    assert get_watermark(staging_engine, "direct_costs", PROJECT) == earlier


def test_watermarks_are_separate_per_scope_account_and_type(staging_engine: Engine) -> None:
    set_watermark(staging_engine, "direct_costs", PROJECT, T0)
    assert get_watermark(staging_engine, "direct_costs", COMPANY) is None
    assert get_watermark(staging_engine, "projects", PROJECT) is None
    set_watermark(staging_engine, "invoices", TENANT, T0 + timedelta(days=1))
    assert get_watermark(staging_engine, "invoices", TENANT) == T0 + timedelta(days=1)
    assert get_watermark(staging_engine, "direct_costs", PROJECT) == T0


def test_other_timezones_are_stored_as_utc_and_naive_is_refused(staging_engine: Engine) -> None:
    sydney = datetime(2026, 3, 1, 21, 0, tzinfo=timezone(timedelta(hours=11)))
    stored = set_watermark(staging_engine, "invoices", TENANT, sydney)
    assert stored == datetime(2026, 3, 1, 10, 0, tzinfo=UTC) and stored.tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        set_watermark(staging_engine, "invoices", TENANT, datetime(2026, 3, 1))


def test_resume_point_survives_and_clears_without_touching_the_watermark(staging_engine: Engine) -> None:
    set_watermark(staging_engine, "invoices", TENANT, T0)
    set_resume(staging_engine, "invoices", TENANT, {"page": 7, "modified_since": T0.isoformat()})
    assert get_resume(staging_engine, "invoices", TENANT) == {"page": 7, "modified_since": T0.isoformat()}
    assert get_watermark(staging_engine, "invoices", TENANT) == T0
    clear_resume(staging_engine, "invoices", TENANT)
    assert get_resume(staging_engine, "invoices", TENANT) is None
    assert get_watermark(staging_engine, "invoices", TENANT) == T0
