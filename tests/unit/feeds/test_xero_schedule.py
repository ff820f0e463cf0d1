"""Which Xero types an hourly run reads (settings.feeds.xero, on a real SQLite staging database): types
without a webhook every hour, contacts and invoices once a day, a never-read or interrupted type at once;
a wrong setting names its key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from procore_xero.extract.feeds import XeroFeedSettings
from procore_xero.extract.specs import XERO_SPECS
from procore_xero.extract.xero_changes import DUE_GRACE, due_xero_types
from procore_xero.mapping.spec import load_spec
from procore_xero.staging import StagingKey, clear_resume, create_staging_engine, ensure_schema, set_resume
from procore_xero.staging.timestamps import utc_now

TENANT = "6de7ec05-d01d-4de0-90e4-9ad46c613e5c"
HOURLY = ["items", "accounts", "tracking_categories", "purchase_orders", "payments", "bank_transactions"]
FEEDS = XeroFeedSettings.from_feeds(load_spec().settings.feeds)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    return engine


def read_everything(engine: Engine) -> None:
    """What a finished read leaves: the type's sync_state row touched, no resume point."""
    for name in XERO_SPECS:
        clear_resume(engine, name, StagingKey(tenant_id=TENANT))


def test_the_settings_feed_contacts_and_invoices_and_read_them_daily() -> None:
    assert dict(FEEDS.categories) == {"CONTACT": "contacts", "INVOICE": "invoices"}
    assert [FEEDS.interval_hours(name) for name in ("contacts", "invoices", "currencies", "payments")] == [
        24,
        24,
        24,
        1,
    ]


def test_an_hour_on_only_the_types_without_a_webhook_are_due(engine: Engine) -> None:
    assert due_xero_types(engine, TENANT, FEEDS, utc_now()) == list(XERO_SPECS)  # never read: all
    read_everything(engine)
    assert due_xero_types(engine, TENANT, FEEDS, utc_now()) == []
    an_hour_on = utc_now() + timedelta(hours=1) - DUE_GRACE  # the next hourly run, started a bit early
    assert due_xero_types(engine, TENANT, FEEDS, an_hour_on) == [
        name for name in XERO_SPECS if name in HOURLY
    ]
    a_day_on = utc_now() + timedelta(hours=24)
    assert due_xero_types(engine, TENANT, FEEDS, a_day_on) == list(XERO_SPECS)
    assert due_xero_types(engine, "another-tenant", FEEDS, utc_now()) == list(XERO_SPECS)


def test_an_interrupted_read_is_due_at_once(engine: Engine) -> None:
    read_everything(engine)
    set_resume(engine, "invoices", StagingKey(tenant_id=TENANT), {"page": 4, "query": {"since": None}})
    assert due_xero_types(engine, TENANT, FEEDS, utc_now()) == ["invoices"]


@pytest.mark.parametrize(
    ("xero", "message"),
    [
        ({"categories": {"INVOICE": "bills"}}, r"settings.feeds.xero.categories: \['bills'\] are not"),
        ({"every_hours": {"credit_notes": 1}}, r"settings.feeds.xero.every_hours: unknown object types"),
        ({"default_every_hours": 0}, r"settings.feeds.xero: every_hours and default_every_hours must be"),
    ],
)
def test_a_wrong_xero_feed_setting_names_its_key(xero: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        XeroFeedSettings.from_feeds({"xero": xero})
