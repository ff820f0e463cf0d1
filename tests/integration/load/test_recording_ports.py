"""A dry run's ports keep what a real run would write: the recording writer the Xero writes (with a
stand-in id for each record Xero would create), the recording ledger the links and holds; neither Xero
nor staging gets any of it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from procore_xero.clients import XeroClient
from procore_xero.ledger import RecordingLedger
from procore_xero.load.report import LoadReport
from procore_xero.staging import Crosswalk, TenantKey, list_open, lookup_mappings
from procore_xero.to_xero.loader import XeroLoader, load_to_xero
from procore_xero.to_xero.writer import DRY_RUN_ID, RecordingXeroWriter
from sandbox.process import SandboxProcess
from tests.integration.load.conftest import contact, xero_state

VENDORS = Crosswalk("procore", "vendors", "xero", "Contacts")


def test_recording_ports_keep_every_write_and_send_none(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    load_to_xero(client, staging, tenant, [contact(900, "Linked Earlier LLC")], run_id="real")
    linked = lookup_mappings(staging, tenant, VENDORS, ["900"])["900"].target_id
    changed = contact(900, "Linked Earlier LLC", EmailAddress="ap@linked.example")
    writer, ledger = RecordingXeroWriter(), RecordingLedger()
    loader = XeroLoader(client, staging, tenant, writer, ledger, "Project", False, LoadReport(dry_run=True))
    report = loader.load([changed, contact(901, "Dry Run Framing Co")])

    assert [(method, endpoint, [b["Name"] for b in bodies]) for method, endpoint, bodies in writer.sent] == [
        ("PUT", "Contacts", ["Dry Run Framing Co"]),
        ("POST", "Contacts", ["Linked Earlier LLC"]),
    ]
    links = {what[1]: what[2] for op, what in ledger.recorded if op == "link"}
    assert links == {"901": DRY_RUN_ID, "900": linked}
    assert report.ids == {"procore/vendors": {"901": DRY_RUN_ID, "900": linked}}
    counts = report.counts["Contacts"]
    assert (counts.created, counts.updated, report.writes) == (1, 1, 0)
    assert lookup_mappings(staging, tenant, VENDORS, ["901"]) == {}
    assert list_open(staging, tenant) == []
    names = {c["Name"]: c.get("EmailAddress") for c in xero_state(sandbox, tenant, "Contacts")}
    assert "Dry Run Framing Co" not in names and names["Linked Earlier LLC"] != "ap@linked.example"
