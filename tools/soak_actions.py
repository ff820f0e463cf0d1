"""What people and faults do to the two sandboxes between and during the soak's cycles, and the log of it
that the expected end state is computed from (never from the sync's own staging).

People: the controller in Xero (``/_sandbox/controller``: pays sync bills in full and in part, deletes a
payment, enters bills from vendors the sync does not know) and project managers in Procore (through
Procore's API with their own app: approve waiting subcontractor invoices, bill a new period on approved
commitments and approve it). Faults: random rules armed on both sandboxes (``/_sandbox/faults``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

from sandbox.process import SandboxProcess
from sandbox.scenario import COST_ITEM, RETAINAGE_ITEM, ScenarioError, item_lines, read_books
from tools.sandbox_connections import procore_app_headers
from tools.soak_tasks import WRITE_METHODS

CENT = Decimal("0.01")
# The faults of this soak (the sandbox's bad-answer kinds belong to the bad-input catalogue).
SOAK_FAULTS = ("429", "500", "503", "timeout", "drop", "drop_after_write")
# Paths faults are aimed at: the APIs, never the token endpoints (token faults are the revocations).
FAULT_PATHS = {
    "procore": ("^/rest/", "/requisitions", "/contract_payments", "/vendors", "/direct_costs", "/projects"),
    "xero": ("^/api.xro/", "/Invoices", "/Contacts", "/PurchaseOrders", "/Payments", "/Items"),
}
COMMITMENT_COLLECTIONS = ("work_order_contracts", "purchase_order_contracts")


@dataclass
class ActionLog:
    """Everything the soak's people did: the source of the expected state."""

    payments: dict[str, dict[str, Any]] = field(default_factory=dict)  # PaymentID -> InvoiceID, Amount
    deleted_payments: set[str] = field(default_factory=set)
    bills_entered: dict[str, dict[str, Any]] = field(default_factory=dict)  # InvoiceID -> Total, contact
    requisitions_created: list[int] = field(default_factory=list)
    requisitions_approved: list[int] = field(default_factory=list)
    revocations: int = 0
    daily_limit_breaches: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "payments_made": len(self.payments),
            "payments_deleted": len(self.deleted_payments),
            "bills_entered_in_xero": len(self.bills_entered),
            "invoices_created_in_procore": len(self.requisitions_created),
            "invoices_approved_in_procore": len(self.requisitions_approved),
            "token_revocations": self.revocations,
            "daily_limit_breaches": self.daily_limit_breaches,
        }


def arm_faults(sandbox: SandboxProcess, rng: random.Random, cycle: int) -> list[dict[str, Any]]:
    """Per service, every kind of ``SOAK_FAULTS`` once plus a 429 storm (fewer than the clients' ten
    consecutive 429s, so the storm is waited out): on the whole API in even cycles (so each kind surely
    fires), on a random resource in odd ones; ``drop_after_write`` on each write method of the whole API."""
    armed = []
    for service in ("procore", "xero"):
        rules: list[dict[str, Any]] = [
            {
                "kind": kind,
                "path": FAULT_PATHS[service][0] if cycle % 2 == 0 else rng.choice(FAULT_PATHS[service]),
            }
            for kind in SOAK_FAULTS
            if kind != "drop_after_write"
        ]
        rules.append({"kind": "429", "path": FAULT_PATHS[service][0], "count": rng.randint(3, 4)})
        rules += [
            {"kind": "drop_after_write", "path": FAULT_PATHS[service][0], "method": method}
            for method in WRITE_METHODS[service]
        ]
        for rule in rules:
            rule = {"count": 1, "retry_after": 1, "delay_seconds": 1, **rule}
            sandbox.admin(service, "POST", "faults", rule)
            armed.append({"service": service, **rule})
    return armed


def disarm_faults(sandbox: SandboxProcess) -> None:
    for service in ("procore", "xero"):
        sandbox.admin(service, "DELETE", "faults")


def revoke_tokens(sandbox: SandboxProcess, log: ActionLog) -> None:
    """Every access and refresh token on both services dies now."""
    for service in ("procore", "xero"):
        sandbox.admin(service, "POST", "faults", {"kind": "revoke_tokens"})
    log.revocations += 1


def controller_acts(
    sandbox: SandboxProcess, tenant_id: str, rng: random.Random, log: ActionLog, today: date
) -> None:
    """The controller's day in Xero: pay some sync bills in full, some in part, delete one payment of an
    earlier day, enter a bill from a vendor the sync does not know."""
    books = sandbox.admin("xero", "GET", "state")["tenants"][tenant_id]
    synced = {c["ContactID"] for c in books["Contacts"] if c.get("ContactNumber")}
    payable = sorted(
        b["InvoiceID"]
        for b in books["Invoices"]
        if b["Type"] == "ACCPAY"
        and b["Contact"]["ContactID"] in synced
        and b["Status"] == "AUTHORISED"
        and Decimal(str(b["AmountDue"])) > 0
    )
    chosen = rng.sample(payable, min(len(payable), 5))
    actions: list[dict[str, Any]] = []
    if chosen[:3]:
        actions.append({"action": "pay", "invoice_ids": chosen[:3], "date": today.isoformat()})
    if chosen[3:]:
        actions.append(
            {"action": "pay", "invoice_ids": chosen[3:], "fraction": 0.4, "date": today.isoformat()}
        )
    live = sorted(set(log.payments) - log.deleted_payments)
    if live:
        actions.append({"action": "delete_payment", "payment_ids": [rng.choice(live)]})
    bill = _new_bill(books, tenant_id, rng, today, len(log.bills_entered))
    if bill is not None:
        actions.append({"action": "enter_bill", "invoice": bill})
    if not actions:
        return
    for result in sandbox.admin("xero", "POST", "controller", {"tenant_id": tenant_id, "actions": actions})[
        "results"
    ]:
        for payment in result.get("payments", []):
            log.payments[payment["PaymentID"]] = {
                "InvoiceID": payment["InvoiceID"],
                "Amount": payment["Amount"],
            }
        for payment in result.get("deleted", []):
            log.deleted_payments.add(payment["PaymentID"])
        if "invoice" in result:
            invoice = result["invoice"]
            log.bills_entered[invoice["InvoiceID"]] = {
                "Total": invoice["Total"],
                "InvoiceNumber": invoice["InvoiceNumber"],
                "ContactID": bill["Contact"]["ContactID"] if bill else None,
            }


def _new_bill(
    books: dict[str, Any], tenant_id: str, rng: random.Random, today: date, entered: int
) -> dict[str, Any] | None:
    """A bill a vendor mailed to the office: a contact without a ContactNumber, item lines on cost-code
    items, tracked to a project option the sync made (None before the sync has made any)."""
    try:
        facts = read_books({"tenants": {tenant_id: books}}, tenant_id, today)
    except ScenarioError:
        return None
    if not any(COST_ITEM.fullmatch(i["Code"]) and i["Code"] != RETAINAGE_ITEM for i in books["Items"]):
        return None
    option = rng.choice(facts.usd_options)
    contact = rng.choice(facts.contacts)
    return {
        "Type": "ACCPAY",
        "Contact": {"ContactID": contact["ContactID"]},
        "InvoiceNumber": f"SK-{entered + 1:04d}",
        "Status": "AUTHORISED",
        "Date": today.isoformat(),
        "DueDate": (today + timedelta(days=30)).isoformat(),
        "LineAmountTypes": "NoTax",
        "LineItems": item_lines(rng, facts.items_by_option[option], option, rng.randint(1, 3)),
    }


@dataclass
class ProjectManagers:
    """Procore users working through their own API app (not the sync's): they bill and approve invoices."""

    sandbox: SandboxProcess
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.http.headers.update(procore_app_headers(self.sandbox, client_index=-1))

    def call(self, method: str, path: str, project_id: int, body: dict[str, Any]) -> requests.Response:
        return self.http.request(
            method,
            f"{self.sandbox.procore_url}{path}",
            params={"project_id": project_id},
            json=body,
            timeout=30,
        )

    def act(self, rng: random.Random, log: ActionLog, cycle: int, today: date) -> None:
        """Approve up to two waiting invoices; bill a new period on two approved commitments, approve it."""
        state = self.sandbox.admin("procore", "GET", "state")
        waiting = sorted(
            (
                r
                for r in state["requisitions"]
                if r["status"] in ("under_review", "draft") and not r.get("deleted_at")
            ),
            key=lambda r: r["id"],
        )
        for requisition in rng.sample(waiting, min(2, len(waiting))):
            if self._approve(requisition):
                log.requisitions_approved.append(requisition["id"])
        commitments = sorted(
            (
                c
                for name in COMMITMENT_COLLECTIONS
                for c in state[name]
                if c["status"] == "Approved" and not c.get("deleted_at")
            ),
            key=lambda c: c["id"],
        )
        for commitment in rng.sample(commitments, min(2, len(commitments))):
            header = {
                "invoice_number": f"PM-{cycle:03d}-{commitment['id'] % 10000}",
                "billing_date": today.isoformat(),
                "requisition_start": (today - timedelta(days=30)).isoformat(),
                "requisition_end": today.isoformat(),
                "payment_date": (today + timedelta(days=30)).isoformat(),
            }
            created = self._bill_period(state, commitment, rng, header)
            if created is not None:
                log.requisitions_created.append(created["id"])
                if self._approve(created):
                    log.requisitions_approved.append(created["id"])

    def _approve(self, requisition: dict[str, Any]) -> bool:
        answer = self.call(
            "PATCH",
            f"/rest/v1.0/requisitions/{requisition['id']}",
            requisition["project_id"],
            {
                "project_id": requisition["project_id"],
                "commitment_id": requisition["commitment_id"],
                "requisition": {"status": "approved"},
            },
        )
        return answer.status_code == 200

    def _bill_period(
        self, state: dict[str, Any], commitment: dict[str, Any], rng: random.Random, header: dict[str, str]
    ) -> dict[str, Any] | None:
        """A new invoice (number and dates in ``header``) billing 2–8 % of each line's scheduled value (what
        is left at most after the latest invoice's completed and stored to date), through the v1.1 create
        (the published one that takes items)."""
        invoices = [
            r
            for r in state["requisitions"]
            if r["commitment_id"] == commitment["id"] and not r.get("deleted_at")
        ]
        latest = max(invoices, key=lambda r: r["number"], default=None)
        done = {
            item["line_item_id"]: Decimal(str(item["total_completed_and_stored_to_date"]))
            for item in (latest or {}).get("items", [])
        }
        items = []
        for line in state["commitment_line_items"]:
            if line["holder"]["id"] != commitment["id"] or line.get("deleted_at"):
                continue
            scheduled = Decimal(str(line["amount"]))
            left = scheduled - done.get(line["id"], Decimal(0))
            amount = min(left, scheduled * Decimal(rng.randint(2, 8)) / 100).quantize(CENT, ROUND_HALF_UP)
            if amount > 0:
                items.append(
                    {
                        "item_type": "contract_item",
                        "line_item_id": line["id"],
                        "work_completed_this_period": str(amount),
                    }
                )
        if not items:
            return None
        answer = self.call(
            "POST",
            "/rest/v1.1/requisitions",
            commitment["project"]["id"],
            {
                "project_id": commitment["project"]["id"],
                "commitment_id": commitment["id"],
                "requisition": {**header, "items": items},
            },
        )
        return answer.json() if answer.status_code in (200, 201) else None
