"""Hostile vendor names held with their reasons, and queued readably on both staging databases: a NUL or a
100 kB name reaches the controller's queue as escaped, bounded text; the details keep the real value."""

from __future__ import annotations

from procore_xero.staging import create_staging_engine, ensure_schema, list_open
from procore_xero.validation import hold_failures, validate
from procore_xero.validation.hold import MAX_TEXT, readable
from tests.unit.validation import frames
from tests.unit.validation.frames import SETTINGS, frame
from tests.unit.validation.test_hold import TENANT


def test_readable_escapes_control_characters_and_cuts_huge_text() -> None:
    assert readable("Acme\x00 Supply\nLLC") == "Acme\\x00 Supply\\nLLC"
    assert readable("شركة ‏(١)") == "شركة ‏(١)"  # right-to-left text and its marks stay
    cut = readable("A" * 100_000 + ": too long")
    assert cut == "A" * (MAX_TEXT // 2) + " …(100,010 characters)… " + "A" * 490 + ": too long"


def test_hostile_names_are_held_and_queued_on_both_databases(database_url: str) -> None:
    engine = create_staging_engine(database_url)
    ensure_schema(engine)
    contacts = frame(
        frames.contact("1", name="Acme\x00 Supply", name_controls="NUL"),
        frames.contact("2", name="N" * 100_000),
        frames.contact("3", name="Plain Vendor"),
    )
    contacts["label"] = "Vendor " + contacts["name"]
    outcome = validate(contacts, "contacts", SETTINGS)
    hold_failures(engine, TENANT, outcome, run_id="run-1")
    queued = {q.problem.source_id: q for q in list_open(engine, TENANT)}
    assert {k: q.problem.reason_code for k, q in queued.items()} == {
        "1": "vendor_name_control_characters",
        "2": "contact_name_too_long",
    }
    assert queued["1"].source_label == "Vendor Acme\\x00 Supply"
    assert "(NUL)" in queued["1"].message
    assert len(queued["2"].message) < MAX_TEXT + 40 and "(100,007 characters)" in queued["2"].source_label
    assert queued["2"].message.endswith("the name is longer than Xero's 255 characters")
    assert list(outcome.passed["source_id"]) == ["3"]
    engine.dispose()
