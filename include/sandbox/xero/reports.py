"""``Reports/ProfitAndLoss``: accrual figures per account from the tenant's invoices and bank transactions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sandbox.xero.dates import parse_date, to_msdate
from sandbox.xero.jsonout import cents
from sandbox.xero.tenant import Tenant
from sandbox.xero.totals import to_decimal

# (section title, account types in it, sign: income adds, costs subtract)
SECTIONS = (
    ("Income", ("REVENUE", "SALES"), 1),
    ("Less Cost of Sales", ("DIRECTCOSTS",), -1),
    ("Other Income", ("OTHERINCOME",), 1),
    ("Less Operating Expenses", ("EXPENSE", "OVERHEADS", "DEPRECIATN"), -1),
)
_POSTED_INVOICE = ("AUTHORISED", "PAID")


def _in_base(amount: Decimal, document: dict[str, Any]) -> Decimal:
    """Xero's CurrencyRate is foreign units per base unit."""
    return amount / to_decimal(document.get("CurrencyRate") or 1)


def _line_matches(line: dict[str, Any], tracking: list[tuple[str, str]]) -> bool:
    held = {(t["TrackingCategoryID"], t["TrackingOptionID"]) for t in line.get("Tracking") or []}
    held_categories = {c for c, _ in held}
    return all((cat, opt) in held if opt else cat in held_categories for cat, opt in tracking)


def account_totals(
    tenant: Tenant, start: date, end: date, tracking: list[tuple[str, str]]
) -> dict[str, Decimal]:
    """Net amount (excluding tax) per account code over the period, for lines matching the tracking filter."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    documents = [d for d in tenant.records["Invoices"].values() if d["Status"] in _POSTED_INVOICE]
    documents += [d for d in tenant.records["BankTransactions"].values() if d["Status"] == "AUTHORISED"]
    for document in documents:
        if not start <= parse_date(document["Date"]).date() <= end:
            continue
        inclusive = document.get("LineAmountTypes") == "Inclusive"
        for line in document.get("LineItems") or []:
            if not line.get("AccountCode") or not _line_matches(line, tracking):
                continue
            net = to_decimal(line["LineAmount"]) - (to_decimal(line.get("TaxAmount")) if inclusive else 0)
            totals[line["AccountCode"]] += _in_base(net, document)
    return totals


def _cells(label: str, value: Decimal | None, account_id: str | None = None) -> list[dict[str, Any]]:
    attributes = [{"Value": account_id, "Id": "account"}] if account_id else None
    first: dict[str, Any] = {"Value": label, **({"Attributes": attributes} if attributes else {})}
    second: dict[str, Any] = {
        "Value": "" if value is None else f"{cents(value):.2f}",
        **({"Attributes": attributes} if attributes else {}),
    }
    return [first, second]


def profit_and_loss(
    tenant: Tenant, start: date, end: date, tracking: list[tuple[str, str]], now: datetime
) -> dict[str, Any]:
    """The report in the spec's ReportWithRows shape: Header, one Section per account group, Net Profit."""
    totals = account_totals(tenant, start, end, tracking)
    accounts = sorted(tenant.records["Accounts"].values(), key=lambda a: a["Code"])
    period = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    rows: list[dict[str, Any]] = [
        {"RowType": "Header", "Cells": [{"Value": ""}, {"Value": f"{end:%d %b %y}"}]}
    ]
    net = Decimal(0)
    for title, types, sign in SECTIONS:
        members = [a for a in accounts if a.get("Type") in types and totals.get(a["Code"])]
        section_total = sum((totals[a["Code"]] for a in members), Decimal(0))
        if members:
            body = [
                {"RowType": "Row", "Cells": _cells(a["Name"], totals[a["Code"]], a["AccountID"])}
                for a in members
            ]
            body.append(
                {
                    "RowType": "SummaryRow",
                    "Cells": _cells(f"Total {title.removeprefix('Less ')}", section_total),
                }
            )
            rows.append({"RowType": "Section", "Title": title, "Rows": body})
        net += sign * section_total
        if title == "Less Cost of Sales" and members:
            rows.append(
                {
                    "RowType": "Section",
                    "Title": "",
                    "Rows": [{"RowType": "Row", "Cells": _cells("Gross Profit", net)}],
                }
            )
    rows.append(
        {"RowType": "Section", "Title": "", "Rows": [{"RowType": "Row", "Cells": _cells("Net Profit", net)}]}
    )
    return {
        "Reports": [
            {
                "ReportID": "ProfitAndLoss",
                "ReportName": "Profit and Loss",
                "ReportType": "ProfitAndLoss",
                "ReportTitles": ["Profit & Loss", tenant.name, period],
                "ReportDate": f"{now.day} {now:%B %Y}",
                "UpdatedDateUTC": to_msdate(now),
                "Fields": [],
                "Rows": rows,
            }
        ]
    }
