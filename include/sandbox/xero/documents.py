"""Builders for documents with lines: invoices (ACCPAY/ACCREC), purchase orders, bank transactions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.xero import rules
from sandbox.xero.dates import parse_date, to_iso, to_msdate
from sandbox.xero.reference import Built, build_contact, merged
from sandbox.xero.tenant import Tenant, new_id
from sandbox.xero.totals import apply_amount_due, apply_totals, to_decimal
from sandbox.xero.views import round_unit

PURCHASE_KINDS = frozenset({"ACCPAY", "PurchaseOrder", "SPEND"})
_DOCUMENT_READ_ONLY = (
    "SubTotal",
    "TotalTax",
    "Total",
    "AmountDue",
    "AmountPaid",
    "AmountCredited",
    "Payments",
    "FullyPaidOnDate",
    "UpdatedDateUTCString",
    "HasErrors",
    "Warnings",
)


class DocumentContext:
    """What building one document needs: the tenant, the time, and contacts created on the way."""

    def __init__(self, tenant: Tenant, now: datetime, unit_dp: int = 2) -> None:
        self.tenant = tenant
        self.now = now
        self.unit_dp = unit_dp  # Xero keeps unit amounts to 2 decimals unless the call says unitdp=4
        self.new_contacts: list[dict[str, Any]] = []
        self.errors: list[str] = []

    def contact(self, sent: dict[str, Any] | None) -> dict[str, Any] | None:
        """Xero finds the contact by ContactID, ContactNumber or Name, and creates one from a new Name."""
        if not sent:
            self.errors.append("A Contact must be specified for this type of transaction")
            return None
        tenant = self.tenant
        for field_name in ("ContactID", "ContactNumber"):
            if sent.get(field_name):
                found = tenant.find("Contacts", field_name, sent[field_name])
                if found is None:
                    self.errors.append(f"The contact with {field_name} '{sent[field_name]}' does not exist")
                elif found.get("ContactStatus") == "ARCHIVED":
                    self.errors.append(f"The contact '{found['Name']}' is archived and cannot be used")
                return found
        name = (sent.get("Name") or "").strip()
        found = next(
            (
                c
                for c in tenant.records["Contacts"].values()
                if c["Name"].lower() == name.lower() and c.get("ContactStatus") == "ACTIVE"
            ),
            None,
        )
        if found is None and name:
            found, problems = build_contact(tenant, sent, None, self.now)
            self.errors.extend(problems)
            if found is not None:
                self.new_contacts.append(found)
        elif not name:
            self.errors.append("A Contact must be specified for this type of transaction")
        return found

    def currency(self, record: dict[str, Any]) -> None:
        tenant = self.tenant
        code = record.get("CurrencyCode") or tenant.base_currency
        record["CurrencyCode"] = code
        if code not in tenant.enabled_currencies():
            self.errors.append(f"Organisation is not subscribed to currency {code}")
            return
        if code == tenant.base_currency:
            record["CurrencyRate"] = Decimal("1.000000")
        elif record.get("CurrencyRate") is None:
            record["CurrencyRate"] = tenant.fx_rates.get(code, Decimal(1))
        else:
            record["CurrencyRate"] = to_decimal(record["CurrencyRate"])

    def dates(self, record: dict[str, Any], fields: tuple[str, ...]) -> None:
        """Store dates as /Date()/ with their ISO ``...String`` companion; ``Date`` defaults to today."""
        if "Date" in fields and not record.get("Date"):
            record["Date"] = self.now.date().isoformat()
        for name in fields:
            if not record.get(name):
                continue
            try:
                moment = parse_date(str(record[name]))
            except ValueError as exc:
                self.errors.append(f"{name}: {exc}")
                continue
            record[name] = to_msdate(moment)
            record[f"{name}String"] = to_iso(moment)

    def lines(self, record: dict[str, Any], kind: str, need_accounts: bool) -> dict[int, Decimal]:
        """Resolve each line's item, account, tax type and tracking; return tax rates by line index."""
        tenant = self.tenant
        rates: dict[int, Decimal] = {}
        lines = record.get("LineItems") or []
        if not lines and record.get("Status") not in ("DRAFT", "DELETED", "VOIDED", None):
            self.errors.append("A document must have at least one line item")
        for index, line in enumerate(lines):
            line.setdefault("LineItemID", new_id())
            if line.get("ItemCode"):
                item = tenant.find("Items", "Code", line["ItemCode"])
                if item is None:
                    self.errors.append(f"Item code '{line['ItemCode']}' is not valid")
                else:
                    details = item.get("PurchaseDetails" if kind in PURCHASE_KINDS else "SalesDetails") or {}
                    line.setdefault("Description", item.get("Description") or item.get("Name"))
                    line.setdefault("UnitAmount", details.get("UnitPrice"))
                    line.setdefault("AccountCode", details.get("AccountCode"))
                    line.setdefault("TaxType", details.get("TaxType"))
                    line["Item"] = {"ItemID": item["ItemID"], "Name": item.get("Name"), "Code": item["Code"]}
            if line.get("UnitAmount") is not None:
                line["UnitAmount"] = round_unit(line["UnitAmount"], self.unit_dp)
            account = self._account(line, index, need_accounts)
            tax_type = line.get("TaxType") or (account or {}).get("TaxType")
            if tax_type and tax_type not in tenant.tax_rates:
                self.errors.append(
                    f"The TaxType code '{tax_type}' does not exist or cannot be used with this "
                    "type of transaction."
                )
            if tax_type:
                line["TaxType"] = tax_type
            rates[index] = tenant.tax_rate(tax_type)
            line["Tracking"] = self._tracking(line.get("Tracking") or [], index)
        return rates

    def _account(self, line: dict[str, Any], index: int, required: bool) -> dict[str, Any] | None:
        tenant = self.tenant
        account = None
        if line.get("AccountCode"):
            account = tenant.account_by_code(line["AccountCode"])
        elif line.get("AccountID"):
            account = tenant.records["Accounts"].get(line["AccountID"])
        if account is None or account.get("Status") != "ACTIVE":
            if line.get("AccountCode") or line.get("AccountID"):
                code = line.get("AccountCode") or line.get("AccountID")
                self.errors.append(f"Account code '{code}' is not a valid code for this document.")
            elif required:
                self.errors.append(f"Line {index + 1}: an AccountCode must be specified")
            return None
        line["AccountCode"], line["AccountID"] = account["Code"], account["AccountID"]
        return account

    def _tracking(self, sent: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
        """Tracking by TrackingCategoryID/TrackingOptionID or by Name/Option; both must be active."""
        resolved = []
        categories = self.tenant.records["TrackingCategories"].values()
        for entry in sent:
            category = next(
                (
                    c
                    for c in categories
                    if c["Status"] == "ACTIVE"
                    and (
                        c["TrackingCategoryID"] == entry.get("TrackingCategoryID")
                        or (entry.get("Name") and c["Name"].lower() == str(entry["Name"]).lower())
                    )
                ),
                None,
            )
            if category is None:
                label = entry.get("Name") or entry.get("TrackingCategoryID")
                self.errors.append(
                    f"Line {index + 1}: the tracking category '{label}' does not exist or is not active"
                )
                continue
            option = next(
                (
                    o
                    for o in category["Options"]
                    if o["Status"] == "ACTIVE"
                    and (
                        o["TrackingOptionID"] == entry.get("TrackingOptionID")
                        or (entry.get("Option") and o["Name"].lower() == str(entry["Option"]).lower())
                    )
                ),
                None,
            )
            if option is None:
                label = entry.get("Option") or entry.get("TrackingOptionID")
                self.errors.append(
                    f"Line {index + 1}: the tracking option '{label}' does not exist in the "
                    f"tracking category '{category['Name']}'"
                )
                continue
            resolved.append(
                {
                    "TrackingCategoryID": category["TrackingCategoryID"],
                    "TrackingOptionID": option["TrackingOptionID"],
                    "Name": category["Name"],
                    "Option": option["Name"],
                }
            )
        return resolved


def _status(kind: str, record: dict[str, Any], existing: dict[str, Any] | None, ctx: DocumentContext) -> None:
    wanted = record.get("Status") or "DRAFT"
    record["Status"] = wanted
    if existing is None:
        if wanted not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
            noun = "Purchase order" if kind == "PurchaseOrder" else "Invoice"
            ctx.errors.append(f"{noun} not of valid status for creation (status {wanted})")
        return
    problem = rules.transition_problem(kind, existing["Status"], wanted, existing.get("AmountPaid"))
    if problem:
        ctx.errors.append(problem)


def _number_taken(tenant: Tenant, record: dict[str, Any]) -> bool:
    """ACCREC numbers are unique in the organisation; an ACCPAY number is the supplier's and need not be
    (the spec: "ACCPAY – non-unique alpha numeric code"), even for one supplier."""
    if record["Type"] != "ACCREC":
        return False
    number = (record.get("InvoiceNumber") or "").lower()
    return any(
        other["InvoiceID"] != record["InvoiceID"]
        and other["Type"] == "ACCREC"
        and other["Status"] not in ("DELETED", "VOIDED")
        and (other.get("InvoiceNumber") or "").lower() == number
        for other in tenant.records["Invoices"].values()
    )


def _contact_ref(contact: dict[str, Any]) -> dict[str, Any]:
    keys = ("ContactID", "ContactNumber", "Name", "ContactStatus", "EmailAddress", "IsSupplier", "IsCustomer")
    return {k: contact[k] for k in keys if k in contact}


def build_invoice(ctx: DocumentContext, element: dict[str, Any], existing: dict[str, Any] | None) -> Built:
    record = merged(existing, {k: v for k, v in element.items() if k not in _DOCUMENT_READ_ONLY})
    record.setdefault("InvoiceID", new_id())
    kind = record.get("Type")
    if kind not in ("ACCPAY", "ACCREC"):
        return None, [
            f"Invoice Type '{kind}' is not supported: the sandbox emulates ACCPAY and ACCREC invoices"
        ]
    if existing is not None and existing["Type"] != kind:
        return None, ["The invoice Type cannot be changed"]
    if kind == "ACCPAY":
        record.pop("Reference", None)  # "ACCREC only": Xero drops it on bills
    _status("Invoice", record, existing, ctx)
    contact = ctx.contact(record.get("Contact"))
    ctx.currency(record)
    ctx.dates(record, ("Date", "DueDate", "ExpectedPaymentDate", "PlannedPaymentDate"))
    rates = ctx.lines(record, kind, need_accounts=record["Status"] == "AUTHORISED")
    if ctx.errors or contact is None:
        return None, ctx.errors
    record["Contact"] = _contact_ref(contact)
    if not record.get("InvoiceNumber") and kind == "ACCREC":
        record["InvoiceNumber"] = ctx.tenant.allocate_number("INV")
    if record.get("InvoiceNumber") and _number_taken(ctx.tenant, record):
        return None, ["Invoice # must be unique."]
    apply_totals(record, rates)
    record.setdefault("Payments", [])
    apply_amount_due(record)
    record.update(
        HasAttachments=False,
        HasErrors=False,
        IsDiscounted=False,
        Prepayments=[],
        Overpayments=[],
        CreditNotes=[],
    )
    record["UpdatedDateUTC"] = to_msdate(ctx.now)
    record["UpdatedDateUTCString"] = to_iso(ctx.now)
    return record, []


def build_purchase_order(
    ctx: DocumentContext, element: dict[str, Any], existing: dict[str, Any] | None
) -> Built:
    record = merged(existing, {k: v for k, v in element.items() if k not in _DOCUMENT_READ_ONLY})
    record.setdefault("PurchaseOrderID", new_id())
    _status("PurchaseOrder", record, existing, ctx)
    contact = ctx.contact(record.get("Contact"))
    ctx.currency(record)
    ctx.dates(record, ("Date", "DeliveryDate", "ExpectedArrivalDate"))
    rates = ctx.lines(record, "PurchaseOrder", need_accounts=False)
    if ctx.errors or contact is None:
        return None, ctx.errors
    record["Contact"] = _contact_ref(contact)
    if not record.get("PurchaseOrderNumber"):
        record["PurchaseOrderNumber"] = ctx.tenant.allocate_number("PO")
    number = record["PurchaseOrderNumber"].lower()
    if any(
        po["PurchaseOrderID"] != record["PurchaseOrderID"]
        and po["Status"] != "DELETED"
        and po["PurchaseOrderNumber"].lower() == number
        for po in ctx.tenant.records["PurchaseOrders"].values()
    ):
        return None, ["Order number must be unique"]
    apply_totals(record, rates)
    record.update(
        TotalDiscount=Decimal("0.00"), HasAttachments=False, SentToContact=record.get("SentToContact", False)
    )
    record["UpdatedDateUTC"] = to_msdate(ctx.now)
    return record, []


def build_bank_transaction(
    ctx: DocumentContext, element: dict[str, Any], existing: dict[str, Any] | None
) -> Built:
    record = merged(existing, {k: v for k, v in element.items() if k not in _DOCUMENT_READ_ONLY})
    record.setdefault("BankTransactionID", new_id())
    if record.get("Type") not in ("SPEND", "RECEIVE"):
        return None, [
            f"Bank transaction Type '{record.get('Type')}' is not supported: the sandbox emulates SPEND "
            "and RECEIVE"
        ]
    if existing is not None and existing["Status"] != "AUTHORISED":
        return None, [f"This bank transaction cannot be edited as it is {existing['Status']}"]
    record["Status"] = record.get("Status") or "AUTHORISED"
    if record["Status"] not in ("AUTHORISED", "DELETED"):
        ctx.errors.append(f"Bank transaction status '{record['Status']}' is not valid here")
    bank = record.get("BankAccount") or {}
    account = ctx.tenant.records["Accounts"].get(bank.get("AccountID", "")) or (
        ctx.tenant.account_by_code(bank["Code"]) if bank.get("Code") else None
    )
    if account is None or account.get("Type") != "BANK":
        ctx.errors.append(
            "The BankAccount must be an existing bank account (AccountID or Code of a BANK account)"
        )
    contact = ctx.contact(record.get("Contact"))
    ctx.currency(record)
    ctx.dates(record, ("Date",))
    rates = ctx.lines(record, record["Type"], need_accounts=True)
    if ctx.errors or contact is None or account is None:
        return None, ctx.errors
    record["Contact"] = _contact_ref(contact)
    record["BankAccount"] = {
        "AccountID": account["AccountID"],
        "Code": account["Code"],
        "Name": account["Name"],
    }
    record.setdefault("IsReconciled", False)
    apply_totals(record, rates)
    record["HasAttachments"] = False
    record["UpdatedDateUTC"] = to_msdate(ctx.now)
    return record, []
