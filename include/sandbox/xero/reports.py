"""``Reports/ProfitAndLoss``: accrual figures per account from the tenant's invoices and bank transactions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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


class ReportError(ValueError):
    """A report parameter the emulator cannot honour (answered 400, never silently ignored)."""


@dataclass(frozen=True)
class Column:
    """One figure column: its header and which lines it adds up (by their tracking)."""

    title: str
    wanted: tuple[tuple[str, str], ...]  # (category id, option id) pairs a line must hold
    unassigned: str | None = None  # a category id the line must NOT be tracked to


def _line_matches(line: dict[str, Any], column: Column) -> bool:
    held = {(t["TrackingCategoryID"], t["TrackingOptionID"]) for t in line.get("Tracking") or []}
    if column.unassigned is not None:
        return all(category != column.unassigned for category, _ in held)
    return all(pair in held for pair in column.wanted)


def columns(tenant: Tenant, end: date, tracking: list[tuple[str, str]]) -> list[Column]:
    """Xero's layout: a category with an option filters the report to it; a category without one splits
    the figures into a column per option, then Unassigned, then Total."""
    fixed = tuple((c, o) for c, o in tracking if o)
    split = [c for c, o in tracking if not o]
    if len(split) > 1:
        raise ReportError("The sandbox splits the report by one tracking category at a time")
    if not split:
        return [Column(f"{end:%d %b %y}", fixed)]
    category = tenant.records["TrackingCategories"].get(split[0])
    if category is None:
        raise ReportError(f"Tracking category '{split[0]}' does not exist")
    options = [o for o in category["Options"] if o["Status"] == "ACTIVE"]
    return [
        *(Column(o["Name"], (*fixed, (split[0], o["TrackingOptionID"]))) for o in options),
        Column("Unassigned", fixed, unassigned=split[0]),
        Column("Total", fixed),
    ]


def account_totals(tenant: Tenant, start: date, end: date, column: Column) -> dict[str, Decimal]:
    """Net amount (excluding tax) per account code over the period, for the column's lines."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    documents = [d for d in tenant.records["Invoices"].values() if d["Status"] in _POSTED_INVOICE]
    documents += [d for d in tenant.records["BankTransactions"].values() if d["Status"] == "AUTHORISED"]
    for document in documents:
        if not start <= parse_date(document["Date"]).date() <= end:
            continue
        inclusive = document.get("LineAmountTypes") == "Inclusive"
        for line in document.get("LineItems") or []:
            if not line.get("AccountCode") or not _line_matches(line, column):
                continue
            net = to_decimal(line["LineAmount"]) - (to_decimal(line.get("TaxAmount")) if inclusive else 0)
            totals[line["AccountCode"]] += _in_base(net, document)
    return totals


def _cells(label: str, values: list[Decimal], account_id: str | None = None) -> list[dict[str, Any]]:
    attributes = {"Attributes": [{"Value": account_id, "Id": "account"}]} if account_id else {}
    return [
        {"Value": label, **attributes},
        *({"Value": f"{cents(value):.2f}", **attributes} for value in values),
    ]


def profit_and_loss(
    tenant: Tenant, start: date, end: date, tracking: list[tuple[str, str]], now: datetime
) -> dict[str, Any]:
    """The report in the spec's ReportWithRows shape: Header, one Section per account group, Net Profit."""
    layout = columns(tenant, end, tracking)
    totals = [account_totals(tenant, start, end, column) for column in layout]
    accounts = sorted(tenant.records["Accounts"].values(), key=lambda a: a["Code"])
    period = f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    rows: list[dict[str, Any]] = [
        {"RowType": "Header", "Cells": [{"Value": ""}, *({"Value": c.title} for c in layout)]}
    ]
    net = [Decimal(0)] * len(layout)
    for title, types, sign in SECTIONS:
        members = [a for a in accounts if a.get("Type") in types and any(t.get(a["Code"]) for t in totals)]
        section_total = [sum((t.get(a["Code"], Decimal(0)) for a in members), Decimal(0)) for t in totals]
        if members:
            body = [
                {
                    "RowType": "Row",
                    "Cells": _cells(
                        a["Name"], [t.get(a["Code"], Decimal(0)) for t in totals], a["AccountID"]
                    ),
                }
                for a in members
            ]
            body.append(
                {
                    "RowType": "SummaryRow",
                    "Cells": _cells(f"Total {title.removeprefix('Less ')}", section_total),
                }
            )
            rows.append({"RowType": "Section", "Title": title, "Rows": body})
        net = [n + sign * s for n, s in zip(net, section_total, strict=True)]
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
