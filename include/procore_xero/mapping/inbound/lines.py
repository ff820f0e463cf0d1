"""Xero document lines -> Procore budget codes: which project (the line's Project tracking option) and which
cost code + cost type (the item code, or the settings' lookup table by account code)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from procore_xero.mapping.frames import ZERO, id_text, item_codes, pluck
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.spec import MappingSpec
from procore_xero.staging.timestamps import parse_api_timestamp

CENT = Decimal("0.01")
# Xero statuses of bills and spend money that count in the books (finalised, not voided or deleted).
FINAL_STATUSES = frozenset({"AUTHORISED", "PAID"})
DOCUMENT_ID_FIELDS = ("InvoiceID", "BankTransactionID", "PurchaseOrderID")
LINE_COLUMNS = (
    "doc_id",
    "line_no",
    "currency",
    "project_id",
    "item_code",
    "account_code",
    "description",
    "quantity",
    "unit_amount",
    "line_amount",
    "line_amount_base",
    "retainage",
    "mapped",
    "cost_code_id",
    "line_item_type_id",
    "cost_code",
    "cost_type",
)


def cost_code_projects(cost_codes: pd.DataFrame) -> pd.Series:
    """Each cost code's project as text: its biller when the biller is a project (Procore publishes no
    ``project_id`` on cost codes); None for a sub job's codes or when the biller is missing."""
    if "biller_id" not in cost_codes or "biller_type" not in cost_codes:
        return pd.Series([None] * len(cost_codes), index=cost_codes.index, dtype=object)
    billers = id_text(cost_codes["biller_id"])
    return billers.where(cost_codes["biller_type"] == "Project", None)


def budget_codes(cost_codes: pd.DataFrame, cost_types: pd.DataFrame, spec: MappingSpec) -> pd.DataFrame:
    """Per project, every cost code × cost type under its Xero item code ("03-300-M")."""
    columns = ["project_id", "item_code", "cost_code_id", "line_item_type_id", "cost_code", "cost_type"]
    if cost_codes.empty or cost_types.empty:
        return pd.DataFrame(columns=columns)
    codes = pd.DataFrame(
        {
            "project_id": cost_code_projects(cost_codes),
            "cost_code_id": id_text(cost_codes["id"]),
            "cost_code": cost_codes["full_code"].astype(str),
        }
    )
    types = pd.DataFrame({"line_item_type_id": id_text(cost_types["id"]), "cost_type": cost_types["code"]})
    frame = codes.merge(types, how="cross")
    frame["item_code"] = item_codes(frame["cost_code"], frame["cost_type"], spec.settings.item_code_separator)
    return frame[columns]


@dataclass(frozen=True)
class LineCoder:
    """Codes one Xero line. Lookup entries (settings ``cost_code_lookup``) that name an item code win,
    then the item code itself, then entries by account code alone."""

    codes: Mapping[tuple[str | None, str], Mapping[str, Any]]  # (project id, item code) -> budget code row
    by_account_and_item: Mapping[tuple[str, str], str]  # -> item code
    by_account: Mapping[str, str]
    retainage_code: str

    @classmethod
    def build(cls, codes: pd.DataFrame, spec: MappingSpec) -> LineCoder:
        rows = {(r["project_id"], r["item_code"]): r for r in codes.to_dict("records", into=dict)}
        separator = spec.settings.item_code_separator
        with_item, by_account = {}, {}
        for entry in spec.settings.cost_code_lookup:
            target = f"{entry.cost_code}{separator}{entry.cost_type}"
            if entry.item_code:
                with_item[(entry.account_code, entry.item_code)] = target
            else:
                by_account[entry.account_code] = target
        return cls(rows, with_item, by_account, spec.settings.retainage.item_code)

    def item_code(self, project_id: str | None, account: str | None, item: str | None) -> str | None:
        if account is not None and item is not None and (account, item) in self.by_account_and_item:
            return self.by_account_and_item[(account, item)]
        if item and (project_id, item) in self.codes:
            return item
        return self.by_account.get(account or "")

    def code(self, project_id: str | None, item_code: str | None) -> Mapping[str, Any] | None:
        return self.codes.get((project_id, item_code)) if item_code else None


def document_lines(documents: pd.DataFrame, known: KnownInProcore, coder: LineCoder) -> pd.DataFrame:
    """One row per line of every document: its project (None when not tracked to a synced project), its
    budget code (``mapped``), the document's currency (the base currency when it names none), the amount in
    it and in the base currency (at the document's own ``CurrencyRate``: Xero's rate on the document date)."""
    rows = [
        _line(record, index, line, known, coder)
        for record in documents.to_dict("records", into=dict)
        for index, line in enumerate(record.get("LineItems") or [])
    ]
    return pd.DataFrame(rows, columns=list(LINE_COLUMNS), dtype=object)


def _line(
    record: Mapping[str, Any], index: int, line: Mapping[str, Any], known: KnownInProcore, coder: LineCoder
) -> dict[str, Any]:
    project_id = _project(line.get("Tracking") or [], known)
    item = line.get("ItemCode") or None
    account = str(line["AccountCode"]) if line.get("AccountCode") is not None else None
    code = coder.code(project_id, coder.item_code(project_id, account, item))
    amount = _decimal(line.get("LineAmount"))
    return {
        "doc_id": _doc_id(record),
        "line_no": index + 1,
        "currency": str(record.get("CurrencyCode") or known.base_currency),
        "project_id": project_id,
        "item_code": item,
        "account_code": account,
        "description": line.get("Description") or "",
        "quantity": Decimal(str(line.get("Quantity") or 1)),
        "unit_amount": Decimal(str(line.get("UnitAmount") or amount)),
        "line_amount": amount,
        "line_amount_base": to_base(amount, record.get("CurrencyRate")),
        "retainage": item == coder.retainage_code,
        "mapped": code is not None,
        "cost_code_id": code["cost_code_id"] if code else None,
        "line_item_type_id": code["line_item_type_id"] if code else None,
        "cost_code": code["cost_code"] if code else None,
        "cost_type": code["cost_type"] if code else None,
    }


def _doc_id(record: Mapping[str, Any]) -> str:
    return next(str(record[f]).lower() for f in DOCUMENT_ID_FIELDS if record.get(f))


def xero_day(value: Any) -> str | None:
    """A Xero date (``/Date(ms)/`` or ISO) as ``YYYY-MM-DD``, as Procore takes dates."""
    moment = parse_api_timestamp(value)
    return moment.date().isoformat() if moment else None


def _project(tracking: Iterable[Mapping[str, Any]], known: KnownInProcore) -> str | None:
    for entry in tracking:
        project = known.project_by_option.get(str(entry.get("TrackingOptionID", "")).lower())
        if project is not None:
            return project
    return None


def _decimal(value: Any, default: Decimal = ZERO) -> Decimal:
    return default if value is None else Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def to_base(amount: Decimal, rate: Any) -> Decimal:
    """An amount in the document's currency in the base currency: Xero's ``CurrencyRate`` is units of the
    document's currency per unit of base currency (CAD 1.35 per USD), so base = amount / rate."""
    divisor = Decimal(str(rate)) if rate not in (None, 0, "0") else Decimal(1)
    return (amount / divisor).quantize(CENT, ROUND_HALF_UP)


def contact_ids(documents: pd.DataFrame) -> pd.Series:
    """The documents' ContactIDs (lower case, as the crosswalk keys them)."""
    if documents.empty:
        return pd.Series([], dtype=object)
    return pluck(documents["Contact"], "ContactID").str.lower()


def document_ids(documents: pd.DataFrame) -> pd.Series:
    """The documents' own ids (lower case), whichever kind of Xero document they are."""
    for field in DOCUMENT_ID_FIELDS:
        if field in documents:
            return id_text(documents[field]).str.lower()
    return pd.Series([], dtype=object)
