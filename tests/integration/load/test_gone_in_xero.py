"""Documents the sync created and a person voided in Xero, or that Xero no longer holds: the next run
sees it (from what the Xero extract staged, confirmed by a live read) and never trusts the crosswalk row.
The sandbox voids the bill through its Xero API; staging is SQLite, the extract the real one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine

from procore_xero.clients import XeroClient
from procore_xero.extract.xero import extract_xero
from procore_xero.staging import Crosswalk, TenantKey, decide, list_open, lookup_mappings, record_mapping
from procore_xero.to_xero.loader import load_to_xero
from sandbox.process import SandboxProcess
from tests.integration.extract.conftest import task_try
from tests.integration.load.conftest import bill, line, xero_state

BILLS = Crosswalk("procore", "requisitions", "xero", "Invoices")


def _voided_bill(client: XeroClient, staging: Engine, tenant: TenantKey) -> tuple[object, str]:
    """A bill the sync created, voided in Xero by a person, then the Xero extract."""
    supplier = next(client.pages("Contacts"))[0]["ContactID"]
    record = bill(9100, "VOID-1", supplier, [line("Work", "2500.00")])
    first = load_to_xero(client, staging, tenant, [record], run_id="run-1")
    invoice_id = first.ids["procore/requisitions"]["9100"]
    (voided,) = client.save("Invoices", [{"InvoiceID": invoice_id, "Status": "VOIDED"}], method="POST")
    assert voided.ok and voided.element["Status"] == "VOIDED"
    extract_xero(client, staging, "invoices", task_try=task_try("invoices"))
    return record, invoice_id


def test_a_bill_voided_in_xero_is_held_as_voided_and_resent_once_approved(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    record, invoice_id = _voided_bill(client, staging, tenant)

    report = load_to_xero(client, staging, tenant, [record], run_id="run-2")

    assert (report.counts["Invoices"].held, report.counts["Invoices"].unchanged, report.writes) == (1, 0, 0)
    assert report.calls == {}  # seen in staging: no call at all
    (held,) = list_open(staging, tenant)
    assert (held.problem.reason_code, held.problem.source_id) == ("voided_in_xero", "9100")
    assert held.details == {"xero_id": invoice_id, "xero_status": "VOIDED", "values": {"total": "2500.00"}}
    assert "now VOIDED" in held.message
    assert load_to_xero(client, staging, tenant, [record], run_id="run-3").writes == 0  # still not re-sent

    decide(staging, held.id, approve=True, decided_by="controller@example.com")
    again = load_to_xero(client, staging, tenant, [record], run_id="run-4")

    assert (again.counts["Invoices"].created, again.counts["Invoices"].held) == (1, 0)
    new_id = again.ids["procore/requisitions"]["9100"]
    assert new_id != invoice_id
    assert lookup_mappings(staging, tenant, BILLS, ["9100"])["9100"].target_id == new_id
    bills = {
        b["InvoiceID"]: b
        for b in xero_state(sandbox, tenant, "Invoices")
        if b.get("InvoiceNumber") == "VOID-1"
    }
    assert {i: b["Status"] for i, b in bills.items()} == {invoice_id: "VOIDED", new_id: "AUTHORISED"}
    assert list_open(staging, tenant) == []


def test_the_setting_resends_a_voided_bill_at_once(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    record, invoice_id = _voided_bill(client, staging, tenant)
    report = load_to_xero(client, staging, tenant, [record], run_id="run-2", resend_voided=True)
    assert (report.counts["Invoices"].created, report.counts["Invoices"].held) == (1, 0)
    assert report.ids["procore/requisitions"]["9100"] != invoice_id
    assert list_open(staging, tenant) == []


def test_a_crosswalk_row_naming_a_record_xero_lacks_is_reported_and_never_updated(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    extract_xero(client, staging, "invoices", task_try=task_try("invoices"))  # read past the row below
    supplier = next(client.pages("Contacts"))[0]["ContactID"]
    lost = "0b6a1c7e-0000-4000-8000-000000000001"
    record_mapping(
        staging,
        tenant,
        BILLS,
        "9200",
        lost,
        payload_hash="old",
        target_updated_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    changed = bill(9200, "LOST-1", supplier, [line("Work", "1200.00")])  # changed: would be an update
    before = len(xero_state(sandbox, tenant, "Invoices"))

    report = load_to_xero(client, staging, tenant, [changed], run_id="run-1")

    assert (report.counts["Invoices"].held, report.counts["Invoices"].updated, report.writes) == (1, 0, 0)
    assert report.calls == {"GET /api.xro/2.0/Invoices": 1}  # the live read that confirms it is gone
    (held,) = list_open(staging, tenant)
    assert (held.problem.reason_code, held.problem.source_id) == ("missing_in_xero", "9200")
    assert held.details == {"xero_id": lost, "xero_status": "not found", "values": {"total": "1200.00"}}
    assert len(xero_state(sandbox, tenant, "Invoices")) == before
    assert lookup_mappings(staging, tenant, BILLS, ["9200"])["9200"].target_id == lost  # kept, as evidence
