"""The Xero half of the demo seed: the contractor's organisation (and a sister company) as Xero holds them.

Deterministic: every id and choice comes from the ``rng`` passed in. Records are in Xero's JSON form.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.xero.dates import to_iso, to_msdate
from sandbox.xero.reference import tracking_option

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
LAST = datetime(2026, 11, 1, tzinfo=UTC)
CAD_PER_USD = "1.3500"
TAX_RATES = [  # US organisation: sales tax on sales only; purchases carry no recoverable tax
    {"Name": "Tax Exempt", "TaxType": "NONE", "EffectiveRate": 0, "DisplayTaxRate": 0, "Status": "ACTIVE"},
    {
        "Name": "Tax on Purchases",
        "TaxType": "INPUT",
        "EffectiveRate": 0,
        "DisplayTaxRate": 0,
        "Status": "ACTIVE",
    },
    {
        "Name": "Tax on Sales",
        "TaxType": "OUTPUT",
        "EffectiveRate": 0,
        "DisplayTaxRate": 0,
        "Status": "ACTIVE",
    },
    {
        "Name": "State Sales Tax",
        "TaxType": "TAX001",
        "EffectiveRate": 8.25,
        "DisplayTaxRate": 8.25,
        "Status": "ACTIVE",
    },
]
ACCOUNTS = [  # code, name, type, tax type
    ("090", "Business Checking", "BANK", "NONE"),
    ("091", "Payroll Checking", "BANK", "NONE"),
    ("200", "Sales", "REVENUE", "OUTPUT"),
    ("260", "Other Revenue", "REVENUE", "OUTPUT"),
    ("310", "Cost of Goods Sold - Subcontract Costs", "DIRECTCOSTS", "INPUT"),
    ("311", "Materials", "DIRECTCOSTS", "INPUT"),
    ("320", "Equipment Rental", "DIRECTCOSTS", "INPUT"),
    ("400", "Advertising", "EXPENSE", "INPUT"),
    ("404", "Bank Fees", "EXPENSE", "NONE"),
    ("420", "Entertainment", "EXPENSE", "INPUT"),
    ("429", "General Expenses", "EXPENSE", "INPUT"),
    ("445", "Light, Power, Heating", "EXPENSE", "INPUT"),
    ("449", "Motor Vehicle Expenses", "EXPENSE", "INPUT"),
    ("461", "Printing & Stationery", "EXPENSE", "INPUT"),
    ("469", "Rent", "EXPENSE", "INPUT"),
    ("489", "Telephone & Internet", "EXPENSE", "INPUT"),
    ("610", "Accounts Receivable", "CURRENT", "NONE"),
    ("800", "Accounts Payable", "CURRLIAB", "NONE"),
    ("820", "Retention Payable", "CURRLIAB", "NONE"),
    ("821", "Retention Receivable", "CURRENT", "NONE"),
]
CLASS_OF = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "REVENUE": "REVENUE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "CURRLIAB": "LIABILITY",
}
UNRELATED = [
    "Acme Office Supply",
    "Bright Telecom",
    "City Water Utility",
    "Delta Fuel Cards",
    "Evergreen Insurance",
    "Fastlane Couriers",
    "Granite Legal LLP",
    "Harbor Bank Fees",
    "Ironclad Security",
    "Juniper Payroll",
    "Keystone Marketing",
    "Lakeside Catering",
    "Metro Parking",
    "Northwind Traders",
    "Orbit Software",
    "Pinnacle Consulting",
    "Quarry Stone Co",
    "Redwood Cleaning",
    "Summit Accountants",
    "Titan Leasing",
]
NON_ASCII = [
    "Müller Baustoffe GmbH",
    "Société Générale de Béton",
    "Łukasz Kowalski Electric",
    "Peña Drywall",
    "Øresund Glass ApS",
    "Çelik Steel Works",
    "José Núñez Landscaping",
    "Ærø Timber",
]
FIRST = [
    "Alder",
    "Birch",
    "Cedar",
    "Dogwood",
    "Elm",
    "Fir",
    "Ginkgo",
    "Hazel",
    "Ivy",
    "Juniper",
    "Kauri",
    "Linden",
    "Maple",
    "Nutmeg",
    "Oak",
    "Pine",
    "Quince",
    "Rowan",
    "Spruce",
    "Tamarack",
]
LAST_WORDS = [
    "Builders Supply",
    "Hardware",
    "Design Studio",
    "Realty",
    "Properties",
    "Holdings",
    "Partners",
    "Engineering",
    "Surveying",
    "Logistics",
]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _moment(rng: random.Random, start: datetime = EPOCH, end: datetime = LAST) -> datetime:
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds))


def _day(rng: random.Random) -> datetime:
    moment = _moment(rng, EPOCH, LAST - timedelta(days=60))
    return moment.replace(hour=0, minute=0, second=0)


def _near_match(name: str, rng: random.Random) -> str:
    """A name a person would call the same vendor: case, punctuation or an "LLC" of difference."""
    variant = rng.randrange(4)
    if variant == 0:
        return name.upper()
    if variant == 1:
        return name.replace(",", "").replace(".", "").replace("&", "and") + " "
    if variant == 2:
        return f"{name.rstrip('.')}, LLC" if "LLC" not in name else name.replace("LLC", "").strip(" ,")
    return name.lower()


def _contact(rng: random.Random, name: str, stamp: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "ContactID": _uuid(rng),
        "Name": name,
        "ContactStatus": "ACTIVE",
        "IsSupplier": True,
        "IsCustomer": False,
        "EmailAddress": "",
        "Addresses": [],
        "Phones": [],
        "UpdatedDateUTC": to_msdate(stamp),
        **extra,
    }


def _contacts(rng: random.Random, scale: float, vendors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    total = max(len(NON_ASCII) + len(UNRELATED) + 2, round(120 * scale))
    budget = total - len(NON_ASCII) - len(UNRELATED)  # the unrelated and non-ASCII names are always there
    exact = [v["name"] for v in vendors[: min(len(vendors) // 3 or 1, budget * 2 // 3)]]
    near_count = min(max(1, len(vendors) // 5), budget - len(exact))
    near = [_near_match(v["name"], rng) for v in vendors[len(exact) : len(exact) + near_count]]
    names: list[str] = exact + near + NON_ASCII + UNRELATED
    counter = 0
    while len(names) < total:
        names.append(
            f"{FIRST[counter % len(FIRST)]} {LAST_WORDS[(counter // len(FIRST)) % len(LAST_WORDS)]}"
            + (f" {counter // 200 + 1}" if counter >= 200 else "")
        )
        counter += 1
    seen: set[str] = set()
    contacts = []
    for index, name in enumerate(names[:total]):
        if name.strip().lower() in seen:
            continue
        seen.add(name.strip().lower())
        vendor = next((v for v in vendors if v["name"] == name), None)
        extra: dict[str, Any] = {"IsCustomer": index % 9 == 0}
        if vendor:
            extra["EmailAddress"] = vendor.get("email_address") or ""
            extra["Addresses"] = [
                {
                    "AddressType": "STREET",
                    "AddressLine1": vendor.get("address") or "",
                    "City": vendor.get("city") or "",
                    "Region": vendor.get("state_code") or "",
                    "PostalCode": vendor.get("zip") or "",
                    "Country": vendor.get("country_code") or "",
                }
            ]
        contacts.append(_contact(rng, name, _moment(rng), **extra))
    contacts[-1]["ContactStatus"] = "ARCHIVED"  # one archived contact: hidden unless includeArchived=true
    return contacts


def _accounts(rng: random.Random) -> list[dict[str, Any]]:
    stamp = to_msdate(EPOCH)
    return [
        {
            "AccountID": _uuid(rng),
            "Code": code,
            "Name": name,
            "Type": kind,
            "TaxType": tax,
            "Status": "ACTIVE",
            "Class": CLASS_OF[kind],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": kind == "EXPENSE",
            "BankAccountType": "BANK" if kind == "BANK" else "",
            "CurrencyCode": "USD" if kind == "BANK" else None,
            "ReportingCode": "",
            "HasAttachments": False,
            "UpdatedDateUTC": stamp,
        }
        for code, name, kind, tax in ACCOUNTS
    ]


def _tracking(rng: random.Random) -> list[dict[str, Any]]:
    options = [tracking_option(_uuid(rng), name) for name in ("East", "West")]
    return [{"TrackingCategoryID": _uuid(rng), "Name": "Region", "Status": "ACTIVE", "Options": options}]


def _items(rng: random.Random) -> list[dict[str, Any]]:
    rows = [
        ("CONC-3000", "Concrete 3000 psi (cu yd)", "311", "145.00"),
        ("REBAR-5", "Rebar #5 (ton)", "311", "980.00"),
        ("LABOR-HR", "General labour (hour)", "310", "62.50"),
        ("CRANE-DAY", "Crane day rate", "320", "1850.00"),
    ]
    return [
        {
            "ItemID": _uuid(rng),
            "Code": code,
            "Name": name,
            "Description": name,
            "IsPurchased": True,
            "IsSold": False,
            "IsTrackedAsInventory": False,
            "UpdatedDateUTC": to_msdate(EPOCH),
            "PurchaseDetails": {"UnitPrice": float(price), "AccountCode": account, "TaxType": "INPUT"},
        }
        for code, name, account, price in rows
    ]


def _amount(rng: random.Random, low: int, high: int) -> float:
    return rng.randrange(low * 100, high * 100) / 100


def _lines(
    rng: random.Random, accounts: list[str], tracking: dict[str, Any] | None, count: int
) -> list[dict]:
    lines = []
    for _ in range(count):
        line = {
            "LineItemID": _uuid(rng),
            "Description": rng.choice(["Materials", "Services", "Site work", "Fees"]),
            "Quantity": float(rng.randrange(1, 5)),
            "UnitAmount": _amount(rng, 50, 4000),
            "AccountCode": rng.choice(accounts),
            "Tracking": [],
        }
        if tracking and rng.random() < 0.5:
            option = rng.choice(tracking["Options"])
            line["Tracking"] = [
                {
                    "TrackingCategoryID": tracking["TrackingCategoryID"],
                    "Name": tracking["Name"],
                    "TrackingOptionID": option["TrackingOptionID"],
                    "Option": option["Name"],
                }
            ]
        lines.append(line)
    return lines


def _document_dates(rng: random.Random) -> dict[str, Any]:
    day = _day(rng)
    due = day + timedelta(days=30)
    return {
        "Date": to_msdate(day),
        "DateString": to_iso(day),
        "DueDate": to_msdate(due),
        "DueDateString": to_iso(due),
        "UpdatedDateUTC": to_msdate(day + timedelta(hours=rng.randrange(1, 48))),
    }


def _money_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum(
        (Decimal(str(line["Quantity"])) * Decimal(str(line["UnitAmount"])) for line in lines), Decimal(0)
    )


def _invoices_and_payments(
    rng: random.Random,
    scale: float,
    contacts: list[dict[str, Any]],
    accounts: list[dict[str, Any]],
    tracking: dict[str, Any],
) -> tuple[list, list]:
    bank = next(a for a in accounts if a["Code"] == "090")
    invoices, payments = [], []
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    for number in range(max(6, round(150 * scale))):
        kind = "ACCPAY" if number % 3 else "ACCREC"
        contact = rng.choice(active)
        lines = _lines(
            rng, ["310", "311", "320", "429"] if kind == "ACCPAY" else ["200"], tracking, rng.randrange(1, 4)
        )
        status = rng.choice(["DRAFT", "AUTHORISED", "AUTHORISED", "AUTHORISED", "PAID"])
        invoice = {
            "InvoiceID": _uuid(rng),
            "Type": kind,
            "Status": "AUTHORISED" if status == "PAID" else status,
            "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
            "InvoiceNumber": f"{'INV' if kind == 'ACCREC' else 'B'}-{number + 1:04d}",
            **({"Reference": ""} if kind == "ACCREC" else {}),  # Xero keeps no Reference on bills
            "LineAmountTypes": "NoTax" if kind == "ACCPAY" else "Exclusive",
            "CurrencyCode": "USD",
            "CurrencyRate": 1.0,
            "LineItems": lines,
            **_document_dates(rng),
        }
        invoices.append(invoice)
        if status == "PAID" or (status == "AUTHORISED" and rng.random() < 0.25):
            total = _money_total(lines)
            amount = total if status == "PAID" else (total / 2).quantize(Decimal("0.01"))
            paid_on = datetime.fromtimestamp(int(invoice["Date"][6:-7]) / 1000, UTC) + timedelta(days=20)
            payments.append(
                {
                    "PaymentID": _uuid(rng),
                    "Date": to_msdate(paid_on),
                    "Amount": float(amount),
                    "Reference": f"Payment {number + 1}",
                    "Status": "AUTHORISED",
                    "PaymentType": "ACCPAYPAYMENT" if kind == "ACCPAY" else "ACCRECPAYMENT",
                    "Account": {"AccountID": bank["AccountID"], "Code": bank["Code"]},
                    "Invoice": {
                        "InvoiceID": invoice["InvoiceID"],
                        "InvoiceNumber": invoice["InvoiceNumber"],
                        "Type": kind,
                        "Contact": invoice["Contact"],
                    },
                    "UpdatedDateUTC": to_msdate(paid_on),
                    "CurrencyRate": 1.0,
                    "IsReconciled": False,
                }
            )
            if status == "PAID":
                invoice["Status"] = "PAID"
                invoice["FullyPaidOnDate"] = to_msdate(paid_on)
    return invoices, payments


def _bank_transactions(
    rng: random.Random,
    scale: float,
    contacts: list[dict[str, Any]],
    accounts: list[dict[str, Any]],
    tracking: dict[str, Any],
) -> list[dict[str, Any]]:
    bank = next(a for a in accounts if a["Code"] == "090")
    expense = ["404", "420", "429", "445", "449", "461", "469", "489", "311"]
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    rows = []
    for _ in range(max(10, round(200 * scale))):
        contact = rng.choice(active)
        rows.append(
            {
                "BankTransactionID": _uuid(rng),
                "Type": "SPEND",
                "Status": "AUTHORISED",
                "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
                "BankAccount": {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]},
                "LineAmountTypes": "NoTax",
                "CurrencyCode": "USD",
                "CurrencyRate": 1.0,
                "IsReconciled": True,
                "Reference": "",
                "LineItems": _lines(rng, expense, tracking, 1),
                **_document_dates(rng),
            }
        )
        rows[-1].pop("DueDate")
        rows[-1].pop("DueDateString")
    return rows


def _purchase_orders(rng: random.Random, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    active = [c for c in contacts if c["ContactStatus"] == "ACTIVE"]
    rows = []
    for number in range(4):
        contact = rng.choice(active)
        rows.append(
            {
                "PurchaseOrderID": _uuid(rng),
                "PurchaseOrderNumber": f"PO-{number + 1:04d}",
                "Status": ["DRAFT", "AUTHORISED", "AUTHORISED", "BILLED"][number],
                "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
                "LineAmountTypes": "NoTax",
                "CurrencyCode": "USD",
                "CurrencyRate": 1.0,
                "Reference": "",
                "LineItems": _lines(rng, ["311", "320"], None, 2),
                **_document_dates(rng),
            }
        )
        rows[-1].pop("DueDate")
        rows[-1].pop("DueDateString")
    return rows


def _organisation(rng: random.Random, name: str, tenant_id: str) -> dict[str, Any]:
    return {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": name,
        "LegalName": f"{name}, Inc.",
        "PaysTax": True,
        "Version": "US",
        "OrganisationType": "COMPANY",
        "BaseCurrency": "USD",
        "CountryCode": "US",
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 12,
        "SalesTaxBasis": "ACCRUAL",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": to_msdate(EPOCH),
        "Timezone": "EASTERNSTANDARDTIME",
        "OrganisationEntityType": "COMPANY",
        "ShortCode": f"!{rng.randrange(10000, 99999)}",
        "Class": "STANDARD",
        "Edition": "BUSINESS",
        "LineOfBusiness": "General contractor",
    }


def _tenant(rng: random.Random, name: str, tier: str, currencies: list[str]) -> dict[str, Any]:
    tenant_id = _uuid(rng)
    descriptions = {"USD": "United States Dollar", "CAD": "Canadian Dollar"}
    return {
        "tenant_id": tenant_id,
        "connection_id": _uuid(rng),
        "connected_at": "2025-01-02T09:00:00.0000000",
        "name": name,
        "tier": tier,
        "organisation": _organisation(rng, name, tenant_id),
        "currencies": [{"Code": c, "Description": descriptions[c]} for c in currencies],
        "fx_rates": {"CAD": CAD_PER_USD} if "CAD" in currencies else {},
        "tax_rates": TAX_RATES,
    }


def generate_xero(rng: random.Random, scale: float, procore: dict[str, Any]) -> dict[str, Any]:
    """The demo firm's Xero organisation plus a small sister company, and the apps connected to them."""
    vendors = [v for v in procore.get("vendors", []) if v.get("is_active", True)]
    main = _tenant(rng, "Summit Ridge Builders", "standard", ["USD", "CAD"])
    accounts = _accounts(rng)
    tracking = _tracking(rng)
    contacts = _contacts(rng, scale, vendors)
    invoices, payments = _invoices_and_payments(rng, scale, contacts, accounts, tracking[0])
    main.update(
        accounts=accounts,
        tracking_categories=tracking,
        contacts=contacts,
        items=_items(rng),
        invoices=invoices,
        payments=payments,
        bank_transactions=_bank_transactions(rng, scale, contacts, accounts, tracking[0]),
        purchase_orders=_purchase_orders(rng, contacts),
        next_number={"INV": len(invoices), "PO": 4},
    )
    sister = _tenant(rng, "Summit Ridge Interiors", "starter", ["USD"])
    sister_contacts = [
        _contact(rng, n, _moment(rng))
        for n in ("Interior Finishes Co", "Glass & Glazing Ltd", "Carpet World")
    ]
    sister.update(
        accounts=_accounts(rng),
        tracking_categories=[],
        contacts=sister_contacts,
        items=[],
        invoices=[],
        payments=[],
        bank_transactions=[],
        purchase_orders=[],
    )
    apps = [
        {
            "name": "Procore Xero Sync",
            "kind": "oauth_app",
            "client_id": f"{rng.getrandbits(128):032X}",
            "client_secret": f"{rng.getrandbits(192):048x}",
            "refresh_token": f"{rng.getrandbits(256):064x}",
            "tenant_ids": [main["tenant_id"], sister["tenant_id"]],
        },
        {
            "name": "Procore Xero Sync (custom connection)",
            "kind": "custom_connection",
            "client_id": f"{rng.getrandbits(128):032X}",
            "client_secret": f"{rng.getrandbits(192):048x}",
            "refresh_token": None,
            "tenant_ids": [main["tenant_id"]],
        },
    ]
    return {"apps": apps, "tenants": [main, sister]}
