"""What the report covers: the projects synced to Xero (a Project tracking option exists), and the rates
that put their currencies on the organisation's base currency for ranking and totals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import pandas as pd

from procore_xero.mapping.project_currency import project_currencies
from procore_xero.reports.frames import records, rows_frame
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import dec
from procore_xero.staging.timestamps import parse_api_timestamp

PROJECT_COLUMNS = ["project_id", "number", "name", "label", "currency", "option_id"]


def projects_in_scope(inputs: DriftInputs) -> pd.DataFrame:
    """Synced projects: id, job number, name, ``label`` ("25-101 Denver Hotel"), currency, option id.
    Projects not at the "Send to Xero" stage have no books in Xero to drift from: they are out."""
    currencies = project_currencies(inputs.procore["prime_contracts"], inputs.procore["commitments"])
    rows = [
        {
            "project_id": str(p["id"]),
            "number": p.get("project_number") or "",
            "name": p.get("name") or "",
            "label": f"{p.get('project_number') or ''} {p.get('name') or ''}".strip(),
            "currency": currencies.get(str(p["id"])) or inputs.base_currency,
            "option_id": inputs.project_options[str(p["id"])],
        }
        for p in records(inputs.procore["projects"])
        if str(p["id"]) in inputs.project_options
    ]
    return rows_frame(rows, PROJECT_COLUMNS).sort_values(["number", "name"]).reset_index(drop=True)


def company_name(inputs: DriftInputs) -> str:
    """The Procore company's name as its projects carry it (the report's title)."""
    for project in records(inputs.procore["projects"]):
        name = (project.get("company") or {}).get("name")
        if name:
            return str(name)
    return f"Procore company {inputs.tenant.company_id}"


def latest_rates(inputs: DriftInputs) -> dict[str, Decimal]:
    """Currency -> Xero's ``CurrencyRate`` on the most recent document in it (units per base unit); the
    base currency is 1. A currency without a document in Xero has no rate (amounts stay unconverted)."""
    latest: dict[str, tuple[datetime, Decimal]] = {}
    for name in ("invoices", "bank_transactions"):
        for doc in records(inputs.xero[name], _live):
            currency, rate = doc.get("CurrencyCode"), doc.get("CurrencyRate")
            when = parse_api_timestamp(doc.get("Date")) if doc.get("Date") else None
            if not currency or rate in (None, 0) or when is None:
                continue
            if currency not in latest or when >= latest[currency][0]:
                latest[currency] = (when, dec(rate))
    rates = {currency: rate for currency, (_, rate) in latest.items()}
    rates[inputs.base_currency] = Decimal(1)
    return rates


def _live(doc: Mapping[str, object]) -> bool:
    return doc.get("Status") not in ("DELETED", "VOIDED", "DRAFT")
