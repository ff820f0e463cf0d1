"""The loader against the Xero emulator over HTTP, with a SQLite staging database."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from procore_xero.clients import ServiceUnavailable, XeroClient
from procore_xero.staging import Crosswalk, TenantKey, decide, list_open, lookup_mappings
from procore_xero.to_xero.loader import load_to_xero
from sandbox.process import SandboxProcess
from tests.integration.conftest import SandboxTime
from tests.integration.load.conftest import (
    bill,
    contact,
    item,
    line,
    purchase_order,
    tracking_option,
    xero_state,
)

VENDORS = Crosswalk("procore", "vendors", "xero", "Contacts")


def test_reference_data_lands_once_and_a_rerun_costs_nothing(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    records = [
        contact(101, "Loader Concrete LLC"),
        contact(102, "Loader Steel Inc"),
        item("03-300-M", "Cast-in-place concrete"),
        item("05-100-S", "Structural steel"),
        tracking_option(7, "2401 Harbor View Tower"),
    ]
    contacts_before = len(xero_state(sandbox, tenant, "Contacts"))

    first = load_to_xero(client, staging, tenant, records, run_id="run-1")

    assert {t: (c.created, c.matched_existing) for t, c in first.counts.items()} == {
        "Contacts": (2, 0),
        "Items": (2, 0),
        "TrackingOptions": (1, 0),
    }
    assert first.writes == 4  # contacts, items, the new Project category, its option
    contacts = {
        c["ContactNumber"]: c for c in xero_state(sandbox, tenant, "Contacts") if c.get("ContactNumber")
    }
    assert len(xero_state(sandbox, tenant, "Contacts")) == contacts_before + 2
    assert first.ids["procore/vendors"] == {
        "101": contacts["procore-vendor-101"]["ContactID"],
        "102": contacts["procore-vendor-102"]["ContactID"],
    }
    categories = {c["Name"]: c for c in xero_state(sandbox, tenant, "TrackingCategories")}
    assert [o["Name"] for o in categories["Project"]["Options"]] == ["2401 Harbor View Tower"]
    stored = lookup_mappings(staging, tenant, VENDORS, ["101"])["101"]
    assert stored.payload_hash == records[0].content_hash() and stored.target_updated_at is not None

    rerun = load_to_xero(client, staging, tenant, records, run_id="run-2")

    assert {t: c.unchanged for t, c in rerun.counts.items()} == {
        "Contacts": 2,
        "Items": 2,
        "TrackingOptions": 1,
    }
    # unchanged records cost nothing; the tracking category is looked up once to address its options
    assert rerun.calls == {"GET /api.xro/2.0/TrackingCategories": 1}
    assert rerun.ids == first.ids


def test_a_response_lost_after_the_write_creates_nothing_twice(
    sandbox: SandboxProcess,
    make_xero: Callable[..., XeroClient],
    staging: Engine,
    tenant: TenantKey,
    sandbox_time: SandboxTime,
) -> None:
    records = [contact(200 + i, f"Lost Answer Co {i}") for i in range(3)]
    sandbox.admin(
        "xero",
        "POST",
        "faults",
        {"kind": "drop_after_write", "path": "/Contacts$", "method": "PUT", "count": 10},
    )
    with pytest.raises(ServiceUnavailable) as lost:
        load_to_xero(make_xero(), staging, tenant, records, run_id="run-1")
    assert lost.value.maybe_applied
    sandbox.admin("xero", "DELETE", "faults")
    after_failure = len(xero_state(sandbox, tenant, "Contacts"))
    sandbox_time.advance(3600)  # past Xero's idempotency window: only the natural key can tell

    rerun = load_to_xero(make_xero(), staging, tenant, records, run_id="run-2")

    assert (rerun.counts["Contacts"].matched_existing, rerun.counts["Contacts"].created) == (3, 0)
    assert "PUT /api.xro/2.0/Contacts" not in rerun.calls
    assert len(xero_state(sandbox, tenant, "Contacts")) == after_failure
    names = [c["Name"] for c in xero_state(sandbox, tenant, "Contacts")]
    assert all(names.count(f"Lost Answer Co {i}") == 1 for i in range(3))
    assert set(lookup_mappings(staging, tenant, VENDORS, ["200", "201", "202"])) == {"200", "201", "202"}


def test_a_retry_within_the_call_replays_the_same_idempotency_key(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    sandbox.admin(
        "xero", "POST", "faults", {"kind": "drop_after_write", "path": "/Contacts$", "method": "PUT"}
    )
    report = load_to_xero(make_xero(), staging, tenant, [contact(300, "Retried Once Ltd")], run_id="run-1")
    assert report.counts["Contacts"].created == 1 and report.calls["PUT /api.xro/2.0/Contacts"] == 2
    assert [c["Name"] for c in xero_state(sandbox, tenant, "Contacts")].count("Retried Once Ltd") == 1


def test_a_rejected_element_is_an_exception_and_the_rest_land(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    good = [contact(400, "Lands Fine Ltd"), contact(402, "Also Lands Ltd")]
    too_long = contact(401, "Bad Number Ltd", ContactNumber="x" * 51)
    report = load_to_xero(make_xero(), staging, tenant, [good[0], too_long, good[1]], run_id="run-1")

    assert (report.counts["Contacts"].created, report.counts["Contacts"].failed) == (2, 1)
    assert report.writes == 1
    (problem,) = list_open(staging, tenant)
    assert (problem.problem.reason_code, problem.problem.source_id, problem.source_label) == (
        "xero_rejected",
        "401",
        "Bad Number Ltd",
    )
    assert problem.details["validation_errors"] and "Bad Number Ltd" in problem.message
    names = {c["Name"] for c in xero_state(sandbox, tenant, "Contacts")}
    assert {"Lands Fine Ltd", "Also Lands Ltd"} <= names and "Bad Number Ltd" not in names


def test_a_contact_edited_in_xero_is_not_overwritten(
    sandbox: SandboxProcess,
    make_xero: Callable[..., XeroClient],
    staging: Engine,
    tenant: TenantKey,
    sandbox_time: SandboxTime,
) -> None:
    client = make_xero()
    first = load_to_xero(client, staging, tenant, [contact(500, "Edited Elsewhere LLC")], run_id="run-1")
    contact_id = first.ids["procore/vendors"]["500"]
    sandbox_time.advance(60)
    (edit,) = client.save(
        "Contacts", [{"ContactID": contact_id, "EmailAddress": "ap@elsewhere.test"}], method="POST"
    )
    assert edit.ok

    changed = contact(500, "Edited Elsewhere LLC", EmailAddress="accounts@procore-side.test")
    report = load_to_xero(client, staging, tenant, [changed], run_id="run-2")

    assert (report.counts["Contacts"].held, report.counts["Contacts"].updated) == (1, 0)
    assert report.calls == {"GET /api.xro/2.0/Contacts": 1}  # one IDs= read, no write
    (problem,) = list_open(staging, tenant)
    assert (problem.problem.reason_code, problem.problem.source_id) == ("edited_in_xero", "500")
    (current,) = [c for c in xero_state(sandbox, tenant, "Contacts") if c["ContactID"] == contact_id]
    assert current["EmailAddress"] == "ap@elsewhere.test"


def test_a_changed_contact_nobody_edited_in_xero_is_updated(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    load_to_xero(client, staging, tenant, [contact(550, "Moves Office Inc")], run_id="run-1")
    changed = contact(550, "Moves Office Inc", EmailAddress="new@moves.test")
    report = load_to_xero(client, staging, tenant, [changed], run_id="run-2")
    assert report.counts["Contacts"].updated == 1
    assert report.calls == {"GET /api.xro/2.0/Contacts": 1, "POST /api.xro/2.0/Contacts": 1}
    (current,) = [
        c for c in xero_state(sandbox, tenant, "Contacts") if c.get("ContactNumber") == "procore-vendor-550"
    ]
    assert current["EmailAddress"] == "new@moves.test"
    assert lookup_mappings(staging, tenant, VENDORS, ["550"])["550"].payload_hash == changed.content_hash()


def test_an_existing_xero_contact_with_the_same_name_is_linked(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    existing = next(c for c in xero_state(sandbox, tenant, "Contacts") if c.get("ContactStatus") == "ACTIVE")
    before = len(xero_state(sandbox, tenant, "Contacts"))
    same_name = contact(600, existing["Name"].upper())
    report = load_to_xero(make_xero(), staging, tenant, [same_name], run_id="run-1")
    assert (report.counts["Contacts"].matched_existing, report.counts["Contacts"].created) == (1, 0)
    assert report.ids["procore/vendors"]["600"] == existing["ContactID"]
    assert len(xero_state(sandbox, tenant, "Contacts")) == before
    assert report.writes == 1  # only its ContactNumber (the seed's contacts have none)


def test_a_po_update_appends_lines_and_bills_carry_retainage(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    vendor = load_to_xero(client, staging, tenant, [contact(700, "Appending Builders")], run_id="r1")
    contact_id = vendor.ids["procore/vendors"]["700"]
    sov = [line("Formwork", "12500.00"), line("Rebar", "8300.55")]
    first = load_to_xero(
        client, staging, tenant, [purchase_order(70, "WO-0070", contact_id, sov)], run_id="r2"
    )
    assert first.counts["PurchaseOrders"].created == 1
    (created,) = [
        p for p in xero_state(sandbox, tenant, "PurchaseOrders") if p["PurchaseOrderNumber"] == "WO-0070"
    ]
    kept_ids = [x["LineItemID"] for x in created["LineItems"]]

    with_cco = purchase_order(70, "WO-0070", contact_id, [*sov, line("CCO-001 extra pour", "1999.45")])
    second = load_to_xero(client, staging, tenant, [with_cco], run_id="r3")

    assert (second.counts["PurchaseOrders"].updated, second.counts["PurchaseOrders"].created) == (1, 0)
    (po,) = [
        p for p in xero_state(sandbox, tenant, "PurchaseOrders") if p["PurchaseOrderNumber"] == "WO-0070"
    ]
    assert po["PurchaseOrderID"] == created["PurchaseOrderID"]
    assert [x["LineItemID"] for x in po["LineItems"][:2]] == kept_ids
    assert [x["Description"] for x in po["LineItems"]] == ["Formwork", "Rebar", "CCO-001 extra pour"]
    assert Decimal(str(po["Total"])) == Decimal("22800.00")

    bills = [
        bill(
            71,
            "WO-0070-1",
            contact_id,
            [line("Formwork", "5000.00"), line("Retainage held", "-500.00", "820")],
        ),
        bill(
            72,
            "WO-0070-2",
            contact_id,
            [line("Rebar", "3000.00"), line("Retainage released", "500.00", "820")],
        ),
    ]
    loaded = load_to_xero(client, staging, tenant, bills, run_id="r4")
    assert loaded.counts["Invoices"].created == 2
    totals = {
        i["InvoiceNumber"]: Decimal(str(i["Total"]))
        for i in xero_state(sandbox, tenant, "Invoices")
        if i["InvoiceNumber"].startswith("WO-0070-")
    }
    assert totals == {"WO-0070-1": Decimal("4500.00"), "WO-0070-2": Decimal("3500.00")}
    again = load_to_xero(client, staging, tenant, bills, run_id="r5")
    assert again.counts["Invoices"].unchanged == 2 and again.calls == {}


def test_dry_run_writes_nothing_and_says_what_would_happen(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    records = [contact(800, "Dry Run Supply"), tracking_option(8, "2402 Dry Dock")]
    report = load_to_xero(make_xero(), staging, tenant, records, run_id="dry", dry_run=True)
    assert (report.counts["Contacts"].created, report.counts["TrackingOptions"].created) == (1, 1)
    assert report.writes == 0 and list_open(staging, tenant) == []
    assert "Dry Run Supply" not in {c["Name"] for c in xero_state(sandbox, tenant, "Contacts")}
    assert lookup_mappings(staging, tenant, VENDORS, ["800"]) == {}


def test_300_contacts_from_empty_take_the_minimum_writes(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    records = [contact(10_000 + i, f"Bulk Vendor {i:03d}") for i in range(300)]
    first = load_to_xero(client, staging, tenant, records, run_id="run-1")
    assert first.counts["Contacts"].created == 300
    assert first.calls == {"GET /api.xro/2.0/Contacts": 1, "PUT /api.xro/2.0/Contacts": math.ceil(300 / 50)}
    rerun = load_to_xero(client, staging, tenant, records, run_id="run-2")
    assert rerun.counts["Contacts"].unchanged == 300 and rerun.calls == {}
    print(f"300 contacts from empty: {first.calls}; no-change rerun: {rerun.calls or 'no calls'}")


def test_a_vendor_named_like_a_xero_contact_is_linked_and_given_its_contact_number(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    (made,) = client.save("Contacts", [{"Name": "Summit Steel Erectors Inc"}], method="PUT")
    existing = made.element
    before = len(xero_state(sandbox, tenant, "Contacts"))

    vendor = contact(700, "Summit Steel Erectors Inc.")
    report = load_to_xero(client, staging, tenant, [vendor], run_id="run-1")

    assert (report.counts["Contacts"].matched_existing, report.counts["Contacts"].created) == (1, 0)
    assert report.ids["procore/vendors"]["700"] == existing["ContactID"]
    assert len(xero_state(sandbox, tenant, "Contacts")) == before  # no second supplier
    (current,) = [
        c for c in xero_state(sandbox, tenant, "Contacts") if c["ContactID"] == existing["ContactID"]
    ]
    assert (current["Name"], current["ContactNumber"]) == ("Summit Steel Erectors Inc", "procore-vendor-700")
    assert report.calls == {"GET /api.xro/2.0/Contacts": 1, "POST /api.xro/2.0/Contacts": 1}
    assert list_open(staging, tenant) == []
    again = load_to_xero(client, staging, tenant, [vendor], run_id="run-2")
    assert (again.counts["Contacts"].unchanged, again.writes) == (1, 0)  # the update is no edit in Xero


def test_a_contact_number_another_contact_holds_is_not_given_twice(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    (holder,) = client.save(
        "Contacts", [{"Name": "Number Holder Ltd", "ContactNumber": "procore-vendor-710"}], method="PUT"
    )
    (named,) = client.save("Contacts", [{"Name": "Harbor Glazing LLC"}], method="PUT")
    vendor = contact(710, "harbor glazing")  # its number is taken: matched by it, never given to another
    report = load_to_xero(client, staging, tenant, [vendor], run_id="run-1")
    assert report.ids["procore/vendors"]["710"] == holder.element["ContactID"]
    assert report.calls == {"GET /api.xro/2.0/Contacts": 1}
    (current,) = [
        c for c in xero_state(sandbox, tenant, "Contacts") if c["ContactID"] == named.element["ContactID"]
    ]
    assert not current.get("ContactNumber")


def test_a_near_match_is_held_for_a_person_and_created_once_approved(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    (existing,) = client.save("Contacts", [{"Name": "Summit Steel Erectors Inc"}], method="PUT")
    before = len(xero_state(sandbox, tenant, "Contacts"))
    vendor = contact(720, "Summit Steel Erector LLC")

    report = load_to_xero(client, staging, tenant, [vendor], run_id="run-1")

    assert (report.counts["Contacts"].held, report.counts["Contacts"].created, report.writes) == (1, 0, 0)
    assert len(xero_state(sandbox, tenant, "Contacts")) == before
    (held,) = list_open(staging, tenant)
    assert (held.problem.reason_code, held.problem.source_id) == ("contact_name_near_match", "720")
    assert held.details == {
        "name": "Summit Steel Erector LLC",
        "xero_contacts": [
            {"ContactID": existing.element["ContactID"].lower(), "Name": "Summit Steel Erectors Inc"}
        ],
    }
    assert "'Summit Steel Erectors Inc'" in held.message and "procore-vendor-720" in held.message
    assert load_to_xero(client, staging, tenant, [vendor], run_id="run-2").counts["Contacts"].held == 1
    assert [e.occurrences for e in list_open(staging, tenant)] == [2]  # the same exception, seen again

    decide(staging, held.id, approve=True, decided_by="controller@example.com")
    approved = load_to_xero(client, staging, tenant, [vendor], run_id="run-3")

    assert (approved.counts["Contacts"].created, approved.counts["Contacts"].held) == (1, 0)
    assert len(xero_state(sandbox, tenant, "Contacts")) == before + 1
    assert list_open(staging, tenant) == []


def test_a_rejected_near_match_stays_out_silently(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    client.save("Contacts", [{"Name": "Harbour Electric"}], method="PUT")
    vendor = contact(730, "Harbor Electric")
    load_to_xero(client, staging, tenant, [vendor], run_id="run-1")
    (held,) = list_open(staging, tenant)
    decide(staging, held.id, approve=False, decided_by="controller@example.com")
    report = load_to_xero(client, staging, tenant, [vendor], run_id="run-2")
    assert (report.counts["Contacts"].held, report.writes, list_open(staging, tenant)) == (1, 0, [])
