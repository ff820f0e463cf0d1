"""What a GET shows, as Xero's published parameters make it: search, date range, archived records, summary
views, unpaged invoices without lines and unit amounts at the asked ``unitdp``.

Every query parameter the spec publishes for a route is either honoured here or refused (400 naming it):
none is silently ignored, so a client relying on one finds out at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.xero.dates import parse_date

# Published parameters the emulator does not implement: (method, route) -> names.
REFUSED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/Invoices"): frozenset({"createdByMyApp"}),
    ("GET", "/Reports/ProfitAndLoss"): frozenset({"periods", "timeframe", "standardLayout", "paymentsOnly"}),
}
# searchTerm: the fields the spec says it searches (case-insensitively).
SEARCHED = {
    "Contacts": ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress"),
    "Invoices": ("InvoiceNumber", "Reference"),
}
# summaryOnly=true leaves out the heavy parts (the spec: "excluding computation-heavy fields").
SUMMARY_DROPS = {
    "Contacts": frozenset({"Addresses", "Phones", "ContactPersons", "Balances", "PaymentTerms"}),
    "Invoices": frozenset({"LineItems", "Payments", "CreditNotes", "Prepayments", "Overpayments"}),
}
# Archived records a list leaves out unless includeArchived=true.
ARCHIVED_FIELD = {"Contacts": "ContactStatus", "TrackingCategories": "Status"}
STORED_UNIT_DP = 4


class ViewError(ValueError):
    """A parameter value the emulator cannot honour (400 naming it)."""


def refused_parameters(method: str, route: str, params: Mapping[str, str]) -> list[str]:
    return sorted(set(params) & REFUSED.get((method, route), frozenset()))


def unit_dp(params: Mapping[str, str]) -> int:
    """``unitdp=4`` opts in to four decimals for unit amounts; anything else is Xero's default of two."""
    raw = params.get("unitdp")
    if raw in (None, ""):
        return 2
    if raw not in ("2", "4"):
        raise ViewError(f"unitdp must be 2 or 4, not '{raw}'")
    return int(raw)


def round_unit(value: Any, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def is_true(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() == "true"


def filtered(collection: str, rows: list[dict[str, Any]], params: Mapping[str, str]) -> list[dict[str, Any]]:
    """The list parameters that choose records: includeArchived, searchTerm, DateFrom/DateTo."""
    status_field = ARCHIVED_FIELD.get(collection)
    if status_field and not is_true(params, "includeArchived"):
        rows = [r for r in rows if r.get(status_field) != "ARCHIVED"]
    term = (params.get("searchTerm") or "").strip().lower()
    if term and collection in SEARCHED:
        rows = [r for r in rows if any(term in str(r.get(f) or "").lower() for f in SEARCHED[collection])]
    if collection == "PurchaseOrders":
        rows = _in_date_range(rows, params.get("DateFrom"), params.get("DateTo"))
    return rows


def _in_date_range(rows: list[dict[str, Any]], start: str | None, end: str | None) -> list[dict[str, Any]]:
    try:
        first = parse_date(start).date() if start else None
        last = parse_date(end).date() if end else None
    except ValueError as exc:
        raise ViewError(f"DateFrom/DateTo: {exc}") from None
    return [
        r
        for r in rows
        if (first is None or parse_date(r["Date"]).date() >= first)
        and (last is None or parse_date(r["Date"]).date() <= last)
    ]


def shown(collection: str, record: dict[str, Any], params: Mapping[str, str], *, listed: bool) -> dict:
    """One record as the answer shows it: summary fields only, no lines on an unpaged invoice list, unit
    amounts at the asked decimals (stored at four, shown at two unless ``unitdp=4``)."""
    drops: set[str] = set()
    if is_true(params, "summaryOnly"):
        drops |= SUMMARY_DROPS.get(collection, frozenset())
    if listed and collection == "Invoices" and not params.get("page"):
        drops.add("LineItems")
    view = {k: v for k, v in record.items() if k not in drops}
    if collection == "TrackingCategories" and not is_true(params, "includeArchived"):
        view["Options"] = [o for o in view.get("Options") or [] if o.get("Status") != "ARCHIVED"]
    places = unit_dp(params)
    if places == STORED_UNIT_DP:
        return view
    if view.get("LineItems"):
        view["LineItems"] = [
            {**line, "UnitAmount": round_unit(line["UnitAmount"], places)}
            if line.get("UnitAmount") is not None
            else line
            for line in view["LineItems"]
        ]
    for details in ("PurchaseDetails", "SalesDetails"):
        if isinstance(view.get(details), dict) and view[details].get("UnitPrice") is not None:
            view[details] = {**view[details], "UnitPrice": round_unit(view[details]["UnitPrice"], places)}
    return view
