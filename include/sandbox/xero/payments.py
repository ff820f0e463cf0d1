"""Payments against invoices: creating one pays the invoice down; deleting one reverts it."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sandbox.xero.dates import parse_date, to_iso, to_msdate
from sandbox.xero.reference import Built
from sandbox.xero.tenant import Tenant, new_id
from sandbox.xero.totals import apply_amount_due, to_decimal

PAYMENT_TYPES = {"ACCPAY": "ACCPAYPAYMENT", "ACCREC": "ACCRECPAYMENT"}


def _invoice_for(tenant: Tenant, sent: dict[str, Any]) -> dict[str, Any] | None:
    ref = sent.get("Invoice") or {}
    if ref.get("InvoiceID"):
        return tenant.records["Invoices"].get(ref["InvoiceID"].lower())
    number = ref.get("InvoiceNumber") or sent.get("InvoiceNumber")
    return tenant.find("Invoices", "InvoiceNumber", number) if number else None


def _account_for(tenant: Tenant, sent: dict[str, Any]) -> dict[str, Any] | None:
    ref = sent.get("Account") or {}
    if ref.get("AccountID"):
        return tenant.records["Accounts"].get(ref["AccountID"].lower())
    return tenant.account_by_code(ref["Code"]) if ref.get("Code") else None


def _with_payments(invoice: dict[str, Any], payments: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """A copy of the invoice with its payment list replaced and its amounts and status recomputed."""
    updated = copy.deepcopy(invoice)
    updated["Payments"] = payments
    apply_amount_due(updated)
    if updated["AmountDue"] == 0 and updated["Total"] > 0:
        updated["Status"] = "PAID"
        latest = max(parse_date(p["Date"]) for p in payments)
        updated["FullyPaidOnDate"] = to_msdate(latest)
    else:
        updated["Status"] = "AUTHORISED" if updated["Status"] == "PAID" else updated["Status"]
        updated.pop("FullyPaidOnDate", None)
    updated["UpdatedDateUTC"] = to_msdate(now)
    updated["UpdatedDateUTCString"] = to_iso(now)
    return updated


def create_payment(
    tenant: Tenant, sent: dict[str, Any], now: datetime
) -> tuple[Built, dict[str, Any] | None]:
    """Returns ((payment, errors), the invoice as updated by the payment)."""
    invoice, account = _invoice_for(tenant, sent), _account_for(tenant, sent)
    errors: list[str] = []
    if invoice is None:
        errors.append("Invoice could not be found (Invoice.InvoiceID or Invoice.InvoiceNumber)")
    elif invoice["Status"] != "AUTHORISED":
        errors.append(
            f"Payment can only be made against Authorised documents (invoice is {invoice['Status']})"
        )
    if account is None:
        errors.append("Account could not be found (Account.AccountID or Account.Code)")
    elif account.get("Type") != "BANK" and not account.get("EnablePaymentsToAccount"):
        errors.append(f"Account code '{account['Code']}' is not a bank account and does not accept payments")
    amount = to_decimal(sent.get("Amount"))
    if amount <= 0:
        errors.append("Payment amount must be greater than zero")
    elif invoice is not None and invoice["Status"] == "AUTHORISED" and amount > invoice["AmountDue"]:
        errors.append(
            f"Payment amount ({amount:.2f}) exceeds the amount outstanding on this document "
            f"({invoice['AmountDue']:.2f})"
        )
    try:
        moment = parse_date(str(sent["Date"])) if sent.get("Date") else now
    except ValueError as exc:
        errors.append(f"Date: {exc}")
        moment = now
    if errors or invoice is None or account is None:
        return (None, errors), None
    payment = {
        "PaymentID": new_id(),
        "Date": to_msdate(moment),
        "DateString": to_iso(moment),
        "Amount": amount,
        "BankAmount": amount,
        "Reference": sent.get("Reference", ""),
        "CurrencyRate": to_decimal(sent.get("CurrencyRate") or invoice.get("CurrencyRate") or 1),
        "PaymentType": PAYMENT_TYPES[invoice["Type"]],
        "Status": "AUTHORISED",
        "IsReconciled": False,
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"]},
        "Invoice": {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber", ""),
            "Type": invoice["Type"],
            "CurrencyCode": invoice["CurrencyCode"],
            "Contact": invoice["Contact"],
        },
        "UpdatedDateUTC": to_msdate(now),
        "UpdatedDateUTCString": to_iso(now),
    }
    summary = {
        "PaymentID": payment["PaymentID"],
        "Date": payment["Date"],
        "Amount": amount,
        "Reference": payment["Reference"],
        "CurrencyRate": payment["CurrencyRate"],
    }
    return (payment, []), _with_payments(invoice, [*invoice["Payments"], summary], now)


def delete_payment(
    tenant: Tenant, payment: dict[str, Any], now: datetime
) -> tuple[Built, dict[str, Any] | None]:
    """POST ``{"Status": "DELETED"}``: the payment is kept as DELETED and the invoice's amounts revert."""
    if payment["Status"] == "DELETED":
        return (None, ["This payment has already been deleted"]), None
    invoice = tenant.records["Invoices"][payment["Invoice"]["InvoiceID"]]
    remaining = [p for p in invoice["Payments"] if p["PaymentID"] != payment["PaymentID"]]
    deleted = {
        **payment,
        "Status": "DELETED",
        "UpdatedDateUTC": to_msdate(now),
        "UpdatedDateUTCString": to_iso(now),
    }
    return (deleted, []), _with_payments(invoice, remaining, now)
