"""The bad-input catalogue: hostile records served by the sandboxes, through the library's extract, sync
and drift report. Each case: the bad record is held with a specific reason, or arrives exactly; the good
records all arrive, to the cent; nothing crashes (the shared run in ``world.py`` would fail every case)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from procore_xero.staging.exceptions_queue import list_open
from sandbox.seed.procore_seed import SEND_TO_XERO
from tests.catalogue.cases import CASES, HTML_PAYLOAD, Case
from tests.catalogue.world import REPORT_PROJECT_NAME, World
from tests.catalogue.xero_cases import XERO_CASES, XeroCase

FORMULA_STARTS = ("=", "+", "-", "@")


def cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(world: World, case: Case) -> None:
    target = world.targets[case.name]
    problems = world.problems(target)
    if case.held:
        reasons = {p.problem.reason_code: p.message for p in problems}
        assert case.held in reasons, f"{case.name}: held for {reasons or 'nothing'}"
        assert case.shows in reasons[case.held] and str(target.source_id) in _where(world, target, problems)
        return
    assert not problems, [p.message for p in problems]
    field, value = case.arrives or ("", "")
    if target.source_type == "vendors":
        contact = _contact(world, target.source_id)
        assert contact[field] == value
        return
    bill = _bill(world, target.source_id)
    seeded = next(r for r in world.seed["procore"]["requisitions"] if r["id"] == target.source_id)
    assert cents(bill["Total"]) == cents(seeded["summary"]["current_payment_due"])
    if field == "Description":
        assert value in [line.get("Description") for line in bill["LineItems"]]
    else:
        assert bill[field] == value


@pytest.mark.parametrize("case", XERO_CASES, ids=[c.name for c in XERO_CASES])
def test_xero_case(world: World, case: XeroCase) -> None:
    """A bill entered in Xero: held with its reason (on the bill or on its contact), and otherwise a direct
    cost in Procore for Xero's total to the cent, from a vendor of exactly the contact's name."""
    entered = world.xero_bills[case.name]
    stored = next(i for i in world.xero()["Invoices"] if i["InvoiceID"] == entered["InvoiceID"])
    ours = {entered["InvoiceID"].lower(), stored["Contact"]["ContactID"].lower()}
    reasons = {
        e.problem.reason_code: e.message
        for e in list_open(world.ctx.engine, world.tenant)
        if e.problem.source_system == "xero" and e.problem.source_id.split(":")[0] in ours
    }
    costs = [
        d
        for d in world.sandbox.admin("procore", "GET", "state")["direct_costs"]
        if str(d.get("origin_id") or "").split(":")[0] == entered["InvoiceID"].lower()
    ]
    if case.held:
        assert case.held in reasons, reasons
    else:
        assert not reasons, reasons
    if not costs:
        assert case.held, f"{case.name}: no direct cost and nothing held"
        return
    (cost,) = costs  # held or not, what reached Procore is exact
    assert cents(cost["grand_total"]) == cents(entered["Total"])
    lines = cost["line_items"]
    assert sum(cents(line["amount"]) for line in lines) == cents(entered["Total"])
    assert all(cents(line["quantity"]) * cents(line["unit_cost"]) == cents(line["amount"]) for line in lines)
    if not case.held:
        assert cost["vendor"]["name"] == case.contact


def _where(world: World, target: Any, problems: list[Any]) -> str:
    """Which record: the exception's source id (its label names the record for the controller)."""
    return " ".join(f"{p.problem.object_type}/{p.problem.source_id} {p.source_label}" for p in problems)


def _contact(world: World, vendor_id: int) -> dict[str, Any]:
    matches = [c for c in world.xero()["Contacts"] if c.get("ContactNumber") == str(vendor_id)]
    assert len(matches) == 1, f"vendor {vendor_id}: {len(matches)} contacts in Xero"
    return matches[0]


def _bill(world: World, requisition_id: int) -> dict[str, Any]:
    xero_id = world.links("requisitions")[str(requisition_id)]
    return next(i for i in world.xero()["Invoices"] if i["InvoiceID"] == xero_id)


def test_every_good_record_arrives_to_the_cent(world: World) -> None:
    """Nothing lost: every active vendor and approved subcontractor invoice is in Xero (once, exact), waits
    in the exception queue, or belongs to a project not at the "Send to Xero" stage (not sent by design)."""
    queue = list_open(world.ctx.engine, world.tenant)
    waiting = {(e.problem.object_type, e.problem.source_id) for e in queue}
    xero = world.xero()
    contacts = {c.get("ContactNumber"): c for c in xero["Contacts"]}
    invoices = {i["InvoiceID"]: i for i in xero["Invoices"]}
    bills = world.links("requisitions")
    procore = world.seed["procore"]
    out_of_scope = {
        p["id"] for p in procore["projects"] if (p.get("project_stage") or {}).get("name") != SEND_TO_XERO
    }
    arrived = held = by_design = 0
    for vendor in (v for v in procore["vendors"] if v["is_active"]):
        key = str(vendor["id"])
        if ("vendors", key) in waiting:
            held += 1
            continue
        assert contacts[key]["Name"] == vendor["name"].strip()
        arrived += 1
    for invoice in (r for r in procore["requisitions"] if r["status"] == "approved"):
        key = str(invoice["id"])
        if ("requisitions", key) in waiting:
            held += 1
            continue
        if invoice["project_id"] in out_of_scope:
            assert key not in bills, key  # never sent
            by_design += 1
            continue
        assert cents(invoices[bills[key]]["Total"]) == cents(invoice["summary"]["current_payment_due"]), key
        arrived += 1
    assert len(set(bills.values())) == len(bills)  # no bill twice
    assert arrived > 200 and held > 30 and by_design > 0, (arrived, held, by_design)


def test_drift_report_escapes_and_neutralises(world: World) -> None:
    """The project name carries a formula and HTML: the HTML shows it escaped, every CSV cell that would
    start a formula starts with an apostrophe."""
    html = world.report.html.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    cells = [
        cell
        for path in (world.report.findings_csv, world.report.budget_csv)
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
        for cell in row
    ]
    assert any(REPORT_PROJECT_NAME in cell for cell in cells)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
    assert HTML_PAYLOAD not in html


def _number(cell: str) -> bool:
    """A negative amount (``-12.50``) is data, not a formula."""
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True
