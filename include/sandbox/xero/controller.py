"""The controller's side between sync runs: pay bills, delete payments, raise POs, spend money, enter bills.

``POST /_sandbox/controller`` runs a list of actions against one tenant through the API's own write paths
(the same validation, storage and ``UpdatedDateUTC`` as a PUT). One failing action writes nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sandbox.xero.jsonout import cents
from sandbox.xero.payments import PAYMENT_TYPES
from sandbox.xero.resources import RESOURCES
from sandbox.xero.schema import BodySchemas
from sandbox.xero.tenant import Tenant
from sandbox.xero.writes import delete_payment_write, write_batch

if TYPE_CHECKING:
    from sandbox.xero.service import XeroService

Result = dict[str, Any]
DEFAULT_PAYMENT_ACCOUNT = "090"
_PAY_KEYS = frozenset({"fraction", "date", "account_code", "reference"})


class ActionError(ValueError):
    """An action that cannot run; ``elements`` holds Xero's ValidationErrors when the API path refused it."""

    def __init__(self, message: str, elements: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.elements = elements or []


def refused(elements: list[dict[str, Any]]) -> ActionError:
    """The API's ValidationException, as one message plus its elements."""
    messages = "; ".join(e["Message"] for element in elements for e in element.get("ValidationErrors", []))
    return ActionError(f"A validation exception occurred: {messages}", elements)


@dataclass
class Controller:
    """One tenant's books, written through the API's code paths at one sandbox moment."""

    tenant: Tenant
    schemas: BodySchemas
    now: datetime

    def put(self, collection: str, element: dict[str, Any]) -> dict[str, Any]:
        """PUT one element exactly as the API does; the stored record, or ``ActionError`` with Xero's text."""
        ok, answers = write_batch(
            RESOURCES[collection],
            self.tenant,
            [element],
            method="PUT",
            summarize=True,
            schemas=self.schemas,
            now=self.now,
            unit_dp=4,  # a person in Xero's app may key four decimals of unit price
        )
        if not ok:
            raise refused(answers)
        return answers[0]

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        return self.tenant.records["Invoices"][invoice_id.lower()]


def _list_of_strings(action: dict[str, Any], key: str) -> list[str]:
    value = action.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ActionError(f"'{key}' must be a non-empty list of strings")
    return value


def _object(action: dict[str, Any], key: str) -> dict[str, Any]:
    value = action.get(key)
    if not isinstance(value, dict):
        raise ActionError(f"'{key}' must be a JSON object")
    return value


def _fraction(value: Any, key: str) -> Decimal:
    """A number in (0, 1], exact (``0.3`` stays 0.3)."""
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 < number <= 1:
        raise ActionError(f"'{key}' must be a number greater than 0 and at most 1 (got {value!r})")
    return number


def _invoice_by_number(tenant: Tenant, number: str) -> str:
    """The live (not DELETED/VOIDED) invoice with that number; bill numbers repeat across contacts."""
    found = [
        r["InvoiceID"]
        for r in tenant.records["Invoices"].values()
        if (r.get("InvoiceNumber") or "").lower() == number.lower()
        and r["Status"] not in ("DELETED", "VOIDED")
    ]
    if len(found) != 1:
        problem = "does not exist" if not found else f"matches {len(found)} invoices: use invoice_ids"
        raise ActionError(f"Invoice number '{number}' {problem}")
    return found[0]


def _selected_invoices(tenant: Tenant, action: dict[str, Any]) -> list[str]:
    if ("invoice_ids" in action) == ("invoice_numbers" in action):
        raise ActionError("give exactly one of 'invoice_ids' or 'invoice_numbers'")
    if "invoice_numbers" in action:
        return [_invoice_by_number(tenant, n) for n in _list_of_strings(action, "invoice_numbers")]
    ids = _list_of_strings(action, "invoice_ids")
    missing = [i for i in ids if i.lower() not in tenant.records["Invoices"]]
    if missing:
        raise ActionError(f"Invoice '{missing[0]}' does not exist")
    return ids


def _pay_invoices(ctl: Controller, invoice_ids: list[str], action: dict[str, Any]) -> list[Result]:
    """One Payments PUT per invoice, for ``fraction`` of what is due at that moment, rounded to the cent."""
    fraction = _fraction(action.get("fraction", 1), "fraction")
    made = []
    for invoice_id in invoice_ids:
        due = ctl.invoice(invoice_id)["AmountDue"]
        payment = ctl.put(
            "Payments",
            {
                "Invoice": {"InvoiceID": invoice_id},
                "Account": {"Code": str(action.get("account_code", DEFAULT_PAYMENT_ACCOUNT))},
                "Amount": cents(fraction * due),
                "Date": action.get("date"),
                "Reference": action.get("reference"),
            },
        )
        after = ctl.invoice(invoice_id)
        made.append(
            {
                "PaymentID": payment["PaymentID"],
                "InvoiceID": after["InvoiceID"],
                "InvoiceNumber": after.get("InvoiceNumber", ""),
                "Amount": payment["Amount"],
                "AmountDue": after["AmountDue"],
                "Status": after["Status"],
            }
        )
    return made


def pay(ctl: Controller, action: dict[str, Any]) -> Result:
    """Pay the listed invoices in full or in part."""
    return {"payments": _pay_invoices(ctl, _selected_invoices(ctl.tenant, action), action)}


def _has_contact_number(tenant: Tenant, invoice: dict[str, Any]) -> bool:
    contact = tenant.records["Contacts"].get(invoice["Contact"]["ContactID"].lower()) or {}
    return bool(contact.get("ContactNumber"))


def _share_candidates(tenant: Tenant, kind: str, integration_only: bool) -> list[dict[str, Any]]:
    """AUTHORISED invoices of ``kind`` with something due, in an order that does not depend on random ids."""
    rows = [
        r
        for r in tenant.records["Invoices"].values()
        if r["Type"] == kind
        and r["Status"] == "AUTHORISED"
        and r["AmountDue"] > 0
        and (not integration_only or _has_contact_number(tenant, r))
    ]
    return sorted(
        rows, key=lambda r: (r.get("InvoiceNumber") or "", r["Contact"].get("Name", ""), r["InvoiceID"])
    )


def pay_share(ctl: Controller, action: dict[str, Any]) -> Result:
    """Pay a deterministic share (same data + same seed: same invoices) of the AUTHORISED invoices."""
    kind = action.get("type", "ACCPAY")
    if kind not in PAYMENT_TYPES:
        raise ActionError(f"'type' must be one of {', '.join(PAYMENT_TYPES)} (got {kind!r})")
    share = _fraction(action.get("share"), "share")
    seed = action.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ActionError(f"'seed' must be an integer (got {seed!r})")
    candidates = _share_candidates(ctl.tenant, kind, bool(action.get("only_contact_numbers_present")))
    count = int((share * len(candidates)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    chosen = set(random.Random(seed).sample(range(len(candidates)), count))
    invoice_ids = [r["InvoiceID"] for i, r in enumerate(candidates) if i in chosen]
    return {"candidates": len(candidates), "payments": _pay_invoices(ctl, invoice_ids, action)}


def delete_payments(ctl: Controller, action: dict[str, Any]) -> Result:
    """Delete payments as ``POST /Payments/{id} {"Status": "DELETED"}`` does: the invoice's amounts revert."""
    reverted = []
    for payment_id in _list_of_strings(action, "payment_ids"):
        payment = ctl.tenant.records["Payments"].get(payment_id.lower())
        if payment is None:
            raise ActionError(f"Payment '{payment_id}' does not exist")
        element = {"PaymentID": payment_id, "Status": "DELETED"}
        deleted, problems = delete_payment_write(
            ctl.tenant, payment, {"Status": "DELETED"}, schemas=ctl.schemas, now=ctl.now
        )
        if problems or deleted is None:
            raise refused([{**element, "ValidationErrors": [{"Message": m} for m in problems]}])
        invoice = ctl.invoice(deleted["Invoice"]["InvoiceID"])
        reverted.append(
            {
                "PaymentID": deleted["PaymentID"],
                "InvoiceID": invoice["InvoiceID"],
                "Amount": deleted["Amount"],
                "AmountDue": invoice["AmountDue"],
                "Status": invoice["Status"],
            }
        )
    return {"deleted": reverted}


def raise_purchase_order(ctl: Controller, action: dict[str, Any]) -> Result:
    """Create a purchase order as ``PUT /PurchaseOrders`` does."""
    order = ctl.put("PurchaseOrders", _object(action, "purchase_order"))
    keys = ("PurchaseOrderID", "PurchaseOrderNumber", "Status", "Total")
    return {"purchase_order": {k: order[k] for k in keys}}


def spend_money(ctl: Controller, action: dict[str, Any]) -> Result:
    """Create a SPEND bank transaction as ``PUT /BankTransactions`` does."""
    sent = {"Type": "SPEND", **_object(action, "bank_transaction")}
    if sent["Type"] != "SPEND":
        raise ActionError(f"spend_money records Type SPEND only (got {sent['Type']!r})")
    spent = ctl.put("BankTransactions", sent)
    return {"bank_transaction": {k: spent[k] for k in ("BankTransactionID", "Status", "Total")}}


def enter_bill(ctl: Controller, action: dict[str, Any]) -> Result:
    """Enter one bill (ACCPAY invoice) as ``PUT /Invoices`` does, e.g. one a vendor mailed to the office."""
    sent = {"Type": "ACCPAY", **_object(action, "invoice")}
    if sent["Type"] != "ACCPAY":
        raise ActionError(f"enter_bill enters Type ACCPAY only (got {sent['Type']!r})")
    bill = ctl.put("Invoices", sent)
    keys = ("InvoiceID", "InvoiceNumber", "Status", "Total", "CurrencyCode")
    return {"invoice": {k: bill.get(k) for k in keys}}


# action -> (function, the keys it accepts besides "action")
ACTIONS: dict[str, tuple[Callable[[Controller, dict[str, Any]], Result], frozenset[str]]] = {
    "pay": (pay, _PAY_KEYS | {"invoice_ids", "invoice_numbers"}),
    "pay_share": (pay_share, _PAY_KEYS | {"type", "share", "seed", "only_contact_numbers_present"}),
    "delete_payment": (delete_payments, frozenset({"payment_ids"})),
    "raise_purchase_order": (raise_purchase_order, frozenset({"purchase_order"})),
    "spend_money": (spend_money, frozenset({"bank_transaction"})),
    "enter_bill": (enter_bill, frozenset({"invoice"})),
}


def _run_one(ctl: Controller, action: Any) -> Result:
    name = action.get("action") if isinstance(action, dict) else None
    if name not in ACTIONS:
        raise ActionError(f"unknown action {name!r}: expected one of {', '.join(ACTIONS)}")
    function, accepted = ACTIONS[name]
    unknown = sorted(set(action) - accepted - {"action"})
    if unknown:
        takes = ", ".join(sorted(accepted))
        raise ActionError(f"unknown key(s) {', '.join(unknown)}; '{name}' takes {takes}")
    return {"action": name, **function(ctl, action)}


def _tenant(service: XeroService, tenant_id: Any) -> Tenant:
    if tenant_id is None:
        return next(iter(service.tenants.values()))
    tenant = service.tenants.get(str(tenant_id).lower())
    if tenant is None:
        raise ActionError(f"unknown tenant_id {tenant_id!r}")
    return tenant


def run_controller(service: XeroService, raw_body: bytes) -> Result:
    """Run ``{"tenant_id"?, "actions": [...]}``; a failure restores the tenant and raises ``ActionError``."""
    try:
        body = json.loads(raw_body or b"null")
    except ValueError as exc:
        raise ActionError(f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("actions"), list) or not body["actions"]:
        raise ActionError('expected {"tenant_id" (optional), "actions": [at least one action]}')
    tenant = _tenant(service, body.get("tenant_id"))
    ctl = Controller(tenant, service.schemas, service.clock.now())
    snapshot = tenant.snapshot()
    results = []
    for index, action in enumerate(body["actions"]):
        try:
            results.append(_run_one(ctl, action))
        except ActionError as exc:
            tenant.restore(snapshot)
            name = action.get("action") if isinstance(action, dict) else None
            raise ActionError(f"actions[{index}] ({name}): {exc}", exc.elements) from None
    return {"tenant_id": tenant.tenant_id, "results": results}
