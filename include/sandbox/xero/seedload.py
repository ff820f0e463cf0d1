"""Turns the seed's ``xero`` section into live tenants, filling the fields the service maintains."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.xero.dates import parse_date, to_iso, to_msdate
from sandbox.xero.tenant import Tenant, with_decimals
from sandbox.xero.totals import apply_amount_due, apply_totals, to_decimal

_SEED_COLLECTIONS = {  # seed key -> (collection, id field)
    "accounts": ("Accounts", "AccountID"),
    "contacts": ("Contacts", "ContactID"),
    "items": ("Items", "ItemID"),
    "tracking_categories": ("TrackingCategories", "TrackingCategoryID"),
    "purchase_orders": ("PurchaseOrders", "PurchaseOrderID"),
    "invoices": ("Invoices", "InvoiceID"),
    "payments": ("Payments", "PaymentID"),
    "bank_transactions": ("BankTransactions", "BankTransactionID"),
}
_DOCUMENTS = ("PurchaseOrders", "Invoices", "BankTransactions")


def _line_rates(tenant: Tenant, document: dict[str, Any]) -> dict[int, Decimal]:
    rates = {}
    for index, line in enumerate(document.get("LineItems") or []):
        account = tenant.account_by_code(line.get("AccountCode") or "") or {}
        rates[index] = tenant.tax_rate(line.get("TaxType") or account.get("TaxType"))
    return rates


def load_tenant(section: dict[str, Any], now: datetime) -> Tenant:
    tenant = Tenant(
        tenant_id=section["tenant_id"],
        name=section["name"],
        tier=section.get("tier", "standard"),
        organisation=section["organisation"],
        currencies=section["currencies"],
        tax_rates={r["TaxType"]: with_decimals(r) for r in section.get("tax_rates", [])},
        fx_rates={code: to_decimal(rate) for code, rate in section.get("fx_rates", {}).items()},
        next_number=dict(section.get("next_number", {})),
    )
    stamp = to_msdate(now)
    for key, (collection, id_field) in _SEED_COLLECTIONS.items():
        for raw in section.get(key, []):
            record = with_decimals(raw)
            record.setdefault("UpdatedDateUTC", stamp)
            if collection == "Contacts":
                record.setdefault("ContactGroups", [])
            if collection in _DOCUMENTS:
                apply_totals(record, _line_rates(tenant, record))
            tenant.put(collection, id_field, record)
    for invoice in tenant.records["Invoices"].values():
        live = [
            p
            for p in tenant.records["Payments"].values()
            if p["Invoice"]["InvoiceID"] == invoice["InvoiceID"] and p["Status"] == "AUTHORISED"
        ]
        invoice["Payments"] = [
            {
                "PaymentID": p["PaymentID"],
                "Date": p["Date"],
                "Amount": p["Amount"],
                "Reference": p.get("Reference", ""),
                "CurrencyRate": p.get("CurrencyRate"),
            }
            for p in live
        ]
        apply_amount_due(invoice)
        invoice.setdefault("UpdatedDateUTCString", to_iso(parse_date(invoice["UpdatedDateUTC"])))
    return tenant
