from datetime import UTC, datetime

from sqlalchemy import Engine

from procore_xero.staging import Crosswalk, TenantKey, lookup, lookup_mappings, record_mapping, reverse_lookup

TENANT = TenantKey(company_id=4_000_000_123, tenant_id="8a1f7c2e-1b2c-4d5e-9f00-aabbccddeeff")
OTHER_TENANT = TenantKey(company_id=4_000_000_123, tenant_id="00000000-0000-0000-0000-000000000002")
VENDOR_CONTACT = Crosswalk("procore", "vendors", "xero", "contacts")
VENDOR_ITEM = Crosswalk("procore", "vendors", "xero", "items")


def test_lookup_many_ids_in_both_directions(staging_engine: Engine) -> None:
    for vendor in (1, 2, 3):
        record_mapping(staging_engine, TENANT, VENDOR_CONTACT, 9_000_000_000 + vendor, f"contact-{vendor}")
    many_unmapped = range(40_000)  # more ids than SQLite's bind limit: looked up in chunks
    found = lookup(staging_engine, TENANT, VENDOR_CONTACT, [9_000_000_001, "9000000003", *many_unmapped])
    assert found == {"9000000001": "contact-1", "9000000003": "contact-3"}
    assert reverse_lookup(staging_engine, TENANT, VENDOR_CONTACT, ["contact-2", "nope"]) == {
        "contact-2": "9000000002"
    }
    assert lookup(staging_engine, OTHER_TENANT, VENDOR_CONTACT, [9_000_000_001]) == {}
    assert lookup(staging_engine, TENANT, VENDOR_ITEM, [9_000_000_001]) == {}


def test_record_mapping_replaces_and_keeps_what_was_sent(staging_engine: Engine) -> None:
    edited = datetime(2026, 3, 1, 10, tzinfo=UTC)
    record_mapping(staging_engine, TENANT, VENDOR_CONTACT, 7, "contact-old", payload_hash="a" * 64)
    record_mapping(
        staging_engine,
        TENANT,
        VENDOR_CONTACT,
        7,
        "contact-new",
        payload_hash="b" * 64,
        target_updated_at=edited,
    )
    (entry,) = lookup_mappings(staging_engine, TENANT, VENDOR_CONTACT, [7]).values()
    assert (entry.source_id, entry.target_id, entry.payload_hash, entry.target_updated_at) == (
        "7",
        "contact-new",
        "b" * 64,
        edited,
    )
    assert entry.synced_at.tzinfo == UTC
    assert reverse_lookup(staging_engine, TENANT, VENDOR_CONTACT, ["contact-old"]) == {}
