"""The soak's verdict: both sandboxes' end state (``/_sandbox/state``) against the state expected from the
seed and the people's actions (``ActionLog``), never from the sync's staging. Staging is read for one
thing only: the exception queue, where every record that is not synced must wait with its reason.

Per record type: expected, synced (exactly one live target record, amount equal to the cent), held (open
exception with a reason), missing (neither), duplicates (more than one live target record, or a target
record nothing expects), amount mismatches. Plus the natural keys that must stay unique in both systems.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, select

from procore_xero.staging.schema import exceptions
from sandbox.process import SandboxProcess
from tools.bench_extract import connection
from tools.soak_actions import COMMITMENT_COLLECTIONS, ActionLog

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DEAD = ("DELETED", "VOIDED")
SYNCED_STATUSES = {"requisitions": ("approved",), "commitments": ("Approved", "Complete")}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass
class Tally:
    """One record type's counts and the problems behind them."""

    expected: int = 0
    synced: int = 0
    held: int = 0
    missing: int = 0
    duplicates: int = 0
    amount_mismatches: int = 0
    held_but_synced: int = 0
    problems: list[str] = field(default_factory=list)

    def one(self, label: str, found: list[Any], held: bool, amount: tuple[Decimal, Decimal] | None) -> None:
        """Score one expected record: ``found`` are its live target records, ``amount`` (want, got)."""
        self.expected += 1
        if len(found) > 1:
            self.duplicates += len(found) - 1
            self.problems.append(f"{label}: {len(found)} live target records")
        if found and held:
            self.held_but_synced += 1
            self.problems.append(f"{label}: synced, yet an open exception still holds it")
        if found:
            self.synced += 1
            if amount is not None and amount[0] != amount[1]:
                self.amount_mismatches += 1
                self.problems.append(f"{label}: amount {amount[1]} expected {amount[0]}")
        elif held:
            self.held += 1
        else:
            self.missing += 1
            self.problems.append(f"{label}: neither synced nor held in the exception queue")

    def extra(self, label: str) -> None:
        self.duplicates += 1
        self.problems.append(f"{label}: nothing expects this target record")

    def row(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k != "problems"}


def initial_facts(sandbox: SandboxProcess) -> dict[str, Any]:
    """What the seed holds before the soak: records present then are not the sync's."""
    procore = sandbox.admin("procore", "GET", "state")
    return {"procore_payments": {p["id"] for p in procore["contract_payments"]}}


def open_exceptions(env: dict[str, str]) -> list[dict[str, Any]]:
    engine = create_engine(env["STAGING_DB_URL"])
    with engine.connect() as conn:
        rows = conn.execute(select(exceptions).where(exceptions.c.status == "open")).mappings().all()
    engine.dispose()
    return [dict(r) for r in rows]


def compare(
    sandbox: SandboxProcess, facts: dict[str, Any], actions: ActionLog, env: dict[str, str]
) -> dict[str, Any]:
    procore = sandbox.admin("procore", "GET", "state")
    tenant_id = connection(env, "xero_default")["extra"]["tenant_id"]
    xero = sandbox.admin("xero", "GET", "state")["tenants"][tenant_id]
    queue = open_exceptions(env)
    held = {
        (e["source_system"], e["object_type"], str(e["source_id"]).lower())
        for e in queue
        if e["reason_code"] and e["message"]
    }
    tallies = {name: Tally() for name in ("bills", "purchase_orders", "payments", "direct_costs")}
    bill_of = _bills(procore, xero, held, tallies["bills"])
    _purchase_orders(procore, xero, held, tallies["purchase_orders"])
    _payments(procore, facts, actions, bill_of, held, tallies["payments"])
    _direct_costs(procore, actions, held, tallies["direct_costs"])
    unique = _unique(procore, xero)
    problems = [p for t in tallies.values() for p in t.problems]
    problems += [
        f"{name}: {row['duplicates']} duplicate(s)" for name, row in unique.items() if row["duplicates"]
    ]
    without_reason = [e["id"] for e in queue if not (e["reason_code"] and e["message"])]
    return {
        "records": {name: t.row() for name, t in tallies.items()},
        "unique_keys": unique,
        "duplicates": sum(t.duplicates for t in tallies.values())
        + sum(r["duplicates"] for r in unique.values()),
        "losses": sum(t.missing for t in tallies.values()),
        "amount_mismatches": sum(t.amount_mismatches for t in tallies.values()),
        "held_without_reason": len(without_reason),
        "held_but_synced": sum(t.held_but_synced for t in tallies.values()),
        "exceptions_open": dict(Counter(f"{e['object_type']}: {e['reason_code']}" for e in queue)),
        "problems": problems,
    }


def _job(project: dict[str, Any]) -> str:
    return str(project.get("project_number") or project["id"])


def _commitments(procore: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {c["id"]: c for name in COMMITMENT_COLLECTIONS for c in procore[name]}


def _bills(
    procore: dict[str, Any], xero: dict[str, Any], held: set[tuple[str, str, str]], tally: Tally
) -> dict[str, dict[str, Any]]:
    """One live Xero bill per approved subcontractor invoice: ``<job>-<commitment>-<invoice #>`` on the
    vendor's contact (ContactNumber = vendor id), total = Procore's current payment due. Returns InvoiceID
    -> requisition for the payments check."""
    projects = {p["id"]: p for p in procore["projects"]}
    commitments = _commitments(procore)
    number_of = {c["ContactID"]: c["ContactNumber"] for c in xero["Contacts"] if c.get("ContactNumber")}
    live: defaultdict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for bill in xero["Invoices"]:
        if (
            bill["Type"] == "ACCPAY"
            and bill["Status"] not in DEAD
            and bill["Contact"]["ContactID"] in number_of
        ):
            live[(number_of[bill["Contact"]["ContactID"]], bill.get("InvoiceNumber") or "")].append(bill)
    bill_of: dict[str, dict[str, Any]] = {}
    expected: set[tuple[str, str]] = set()
    for req in procore["requisitions"]:
        if req["status"] not in SYNCED_STATUSES["requisitions"] or req.get("deleted_at"):
            continue
        commitment = commitments[req["commitment_id"]]
        key = (
            str(req["vendor_id"]),
            f"{_job(projects[req['project_id']])}-{commitment['number']}-{req['number']}",
        )
        expected.add(key)
        found = live.get(key, [])
        want = money(req["summary"]["current_payment_due"])
        tally.one(
            f"requisition {req['id']} ({key[1]})",
            found,
            ("procore", "requisitions", str(req["id"])) in held,
            (want, money(found[0]["Total"])) if found else None,
        )
        for bill in found:
            bill_of[bill["InvoiceID"]] = req
    for key in sorted(set(live) - expected):
        tally.extra(f"Xero bill {key[1]} (contact {key[0]})")
    return bill_of


def _purchase_orders(
    procore: dict[str, Any], xero: dict[str, Any], held: set[tuple[str, str, str]], tally: Tally
) -> None:
    """One live Xero PO per approved commitment, numbered ``<job>-<commitment number>``, its subtotal the
    schedule of values plus the approved change orders' totals."""
    projects = {p["id"]: p for p in procore["projects"]}
    committed: defaultdict[int, Decimal] = defaultdict(Decimal)
    for line in procore["commitment_line_items"]:
        if not line.get("deleted_at"):
            committed[line["holder"]["id"]] += money(line["amount"])
    for change in procore["commitment_change_orders"]:
        if change["status"] == "approved":
            committed[change["contract_id"]] += money(change["grand_total"])
    live: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for po in xero["PurchaseOrders"]:
        if po["Status"] not in DEAD:
            live[po.get("PurchaseOrderNumber") or ""].append(po)
    for collection, commitment in ((n, c) for n in COMMITMENT_COLLECTIONS for c in procore[n]):
        if commitment["status"] not in SYNCED_STATUSES["commitments"] or commitment.get("deleted_at"):
            continue
        number = f"{_job(projects[commitment['project']['id']])}-{commitment['number']}"
        found = live.get(number, [])
        tally.one(
            f"commitment {commitment['id']} ({number})",
            found,
            ("procore", collection, str(commitment["id"])) in held,
            (committed[commitment["id"]], money(found[0]["SubTotal"])) if found else None,
        )


def _origin(record: dict[str, Any]) -> str | None:
    """The Xero id a Procore record was made from (``origin_id`` starts with it), if any."""
    match = GUID.match(str(record.get("origin_id") or "").lower())
    return match.group(0) if match else None


def _payments(
    procore: dict[str, Any],
    facts: dict[str, Any],
    actions: ActionLog,
    bill_of: dict[str, dict[str, Any]],
    held: set[tuple[str, str, str]],
    tally: Tally,
) -> None:
    """Every live payment the controller made on a sync bill: one live Procore payment issued (origin_id
    = PaymentID) on the bill's commitment, same amount; a deleted one: none live."""
    by_origin: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for payment in procore["contract_payments"]:
        if (
            payment["id"] not in facts["procore_payments"]
            and not payment.get("deleted_at")
            and _origin(payment)
        ):
            by_origin[_origin(payment)].append(payment)  # type: ignore[index]
    for payment_id, made in sorted(actions.payments.items()):
        key = payment_id.lower()
        found = by_origin.pop(key, [])
        if payment_id in actions.deleted_payments:
            for _ in found:
                tally.extra(f"Procore payment for deleted Xero payment {payment_id}")
            continue
        requisition = bill_of.get(made["InvoiceID"])
        label = f"payment {payment_id}"
        if found and requisition and found[0]["contract_id"] != requisition["commitment_id"]:
            tally.problems.append(
                f"{label}: on contract {found[0]['contract_id']}, bill's is {requisition['commitment_id']}"
            )
            tally.amount_mismatches += 1
        tally.one(
            label,
            found,
            ("xero", "payments", key) in held,
            (money(made["Amount"]), money(found[0]["amount"])) if found else None,
        )
    for origin, rest in sorted(by_origin.items()):
        for _ in rest:
            tally.extra(f"Procore payment from Xero {origin}")


def _direct_costs(
    procore: dict[str, Any], actions: ActionLog, held: set[tuple[str, str, str]], tally: Tally
) -> None:
    """Every bill entered in Xero on a synced project: one live Procore direct cost, same total."""
    by_origin: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for cost in procore["direct_costs"]:
        if not cost.get("deleted_at") and _origin(cost):
            by_origin[_origin(cost)].append(cost)  # type: ignore[index]
    for invoice_id, bill in sorted(actions.bills_entered.items()):
        found = by_origin.get(invoice_id.lower(), [])
        tally.one(
            f"Xero bill {bill['InvoiceNumber']}",
            found,
            ("xero", "invoices", invoice_id.lower()) in held,
            (money(bill["Total"]), money(found[0]["grand_total"])) if found else None,
        )


def _unique(procore: dict[str, Any], xero: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Natural keys that must stay unique however often a write was retried: per key, how many records
    carry one and how many of those are extra."""
    live_bills = [b for b in xero["Invoices"] if b["Type"] == "ACCPAY" and b["Status"] not in DEAD]
    keys = {
        "xero contacts by ContactNumber": [
            c["ContactNumber"] for c in xero["Contacts"] if c.get("ContactNumber")
        ],
        "xero bills by contact + number": [
            (b["Contact"]["ContactID"], b.get("InvoiceNumber")) for b in live_bills
        ],
        "xero POs by number": [
            p["PurchaseOrderNumber"] for p in xero["PurchaseOrders"] if p["Status"] not in DEAD
        ],
        **{
            f"procore {collection} by origin_id": [
                r["origin_id"] for r in procore[collection] if r.get("origin_id") and not r.get("deleted_at")
            ]
            for collection in ("vendors", "direct_costs", "contract_payments", *COMMITMENT_COLLECTIONS)
        },
    }
    return {
        name: {"records": len(values), "duplicates": len(values) - len(set(values))}
        for name, values in keys.items()
    }
