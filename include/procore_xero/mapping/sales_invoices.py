"""Approved owner payment applications on prime contracts -> Xero sales invoices (``Invoices``, ACCREC).

Procore publishes an owner invoice as ``g702`` (summary) and ``g703`` (lines: this period's work and the
retainage retained and released, for work and for stored materials), pointing to its prime contract as
``contract {id}``; a G703 line names its prime contract line by ``origin_id``, whose cost type it lacks.

The contact is the project's owner: the prime contract's ``vendor`` is a company of the Procore directory,
synced as a Contact like any vendor, so ``known.contacts`` (Procore vendor id -> ContactID) is keyed by that
vendor id here too. Lines and retainage follow bills (``billed``), on the receivable side: revenue account,
retainage receivable account. ``InvoiceNumber`` is Procore's invoice number (unique per organisation in
Xero, as ACCREC numbers must be); ``Reference`` the application number.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.mapping.billed import (
    DOCUMENT_COLUMNS,
    LineCoding,
    add_line_columns,
    billed_lines,
    billing_figures,
    currency_columns,
)
from procore_xero.mapping.frames import ZERO, finish, id_text, money, pluck, valid_dates
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.spec import MappingSpec
from procore_xero.mapping.staged import STAGED_PROJECT
from procore_xero.objects.sales_invoices import SALES_INVOICES

COLUMNS = (
    "payment_application_id",
    "prime_contract_id",
    "project_id",
    "owner_vendor_id",
    "invoice_number",
    "owner_contact_mapped",
    *DOCUMENT_COLUMNS,
)


def transform_sales_invoices(
    payment_applications: pd.DataFrame,
    prime_contracts: pd.DataFrame,
    prime_contract_lines: pd.DataFrame,
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One sales invoice per approved payment application."""
    approved = payment_applications["status"].isin(spec.settings.source_statuses.payment_applications)
    docs = as_billed_documents(payment_applications[approved].reset_index(drop=True), prime_contract_lines)
    contracts = prime_contracts.assign(key=id_text(prime_contracts["id"])).set_index("key")
    frame = billing_figures(docs)
    frame["payment_application_id"] = frame["source_id"] = id_text(docs["id"])
    frame["prime_contract_id"] = id_text(pluck(docs["contract"], "id"))
    frame["project_id"] = id_text(docs[STAGED_PROJECT])
    owner = frame["prime_contract_id"].map(contracts["vendor"])
    frame["owner_vendor_id"] = id_text(pluck(owner, "id"))
    frame["contact_id"] = frame["owner_vendor_id"].map(dict(known.contacts))
    frame["owner_contact_mapped"] = frame["contact_id"].notna()
    options = frame["project_id"].map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    currency_columns(frame, pluck(docs["currency_configuration"], "currency_iso_code"), known)
    frame["status"] = docs["status"].astype(object)
    frame["invoice_number"] = docs["invoice_number"].astype(object)
    frame["reference"] = docs["number"].astype(str).astype(object)
    frame["date"] = docs["billing_date"].astype(object)
    frame["date_valid"] = valid_dates(frame["date"])
    terms = pd.Timedelta(days=int(spec.settings.sales_payment_terms_days))
    due = pd.to_datetime(frame["date"].where(frame["date_valid"], None)) + terms  # bad dates are held
    frame["due_date"] = due.dt.strftime("%Y-%m-%d").astype(object).where(due.notna(), None)
    frame["line_amount_types"] = spec.settings.tax.line_amount_types
    frame["xero_status"] = spec.xero_status("sales_invoices")
    frame["label"] = (
        "Owner invoice "
        + frame["invoice_number"].fillna("?").astype(str)
        + " ("
        + pluck(owner, "name").fillna("?").astype(str)
        + ")"
    )
    coding = LineCoding(
        spec.settings.accounts.revenue,
        spec.settings.retainage.receivable_account,
        spec.settings.tax.sales_tax_type,
    )
    lines = billed_lines(docs, cost_codes, cost_types, options, coding, spec)
    frame = add_line_columns(frame, lines, known, spec)
    return finish(
        frame,
        target_type=SALES_INVOICES.target_type,
        source_type="procore/payment_applications",
        natural_key=SALES_INVOICES.natural_key,
        fields=spec.fields("sales_invoices"),
        columns=COLUMNS,
    )


G703_RETAINED = (
    "work_completed_retainage_retained_this_period",
    "materials_stored_retainage_retained_this_period",
)
G703_RELEASED = (
    "work_completed_retainage_released_this_period",
    "materials_stored_retainage_released_this_period",
)


def as_billed_documents(applications: pd.DataFrame, prime_contract_lines: pd.DataFrame) -> pd.DataFrame:
    """Owner invoices in the figures and lines ``billed`` works from: this period's work per G703 line,
    coded by its cost code and its prime contract line's cost type; retainage retained and released summed
    over the lines (work and stored materials); the payment due from the G702, exactly as Procore has it.
    A pay app without ``g702`` keeps no summary (held as such); one without ``g703`` has no lines."""
    types = (
        dict(
            zip(
                id_text(prime_contract_lines["id"]),
                pluck(prime_contract_lines["line_item_type"], "id"),
                strict=True,
            )
        )
        if len(prime_contract_lines)
        else {}
    )
    items, summaries = [], []
    for record in applications.to_dict("records"):
        g703 = [line for line in (record.get("g703") or []) if isinstance(line, Mapping)]
        items.append([_item(line, types) for line in g703])
        g702 = record.get("g702")
        summaries.append(
            {
                "work_completed_this_period": _sum(g703, ("work_completed_this_period",)),
                "retainage_retained_this_period": _sum(g703, G703_RETAINED),
                "retainage_released_this_period": _sum(g703, G703_RELEASED),
                "current_payment_due": g702.get("current_payment_due"),
            }
            if isinstance(g702, Mapping)
            else None
        )
    return applications.assign(
        items=pd.Series(items, dtype=object), summary=pd.Series(summaries, dtype=object)
    )


def _item(line: Mapping[str, Any], types: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "work_completed_this_period": line.get("work_completed_this_period"),
        "description_of_work": line.get("description_of_work"),
        "cost_code_id": (line.get("cost_code") or {}).get("id"),
        "line_item_type_id": types.get(str(line.get("origin_id"))),
    }


def _sum(lines: list[Mapping[str, Any]], keys: tuple[str, ...]) -> Decimal:
    """The exact total of those amounts over the lines, strings or numbers as sent (missing: 0.00)."""
    return sum(money(pd.Series([line.get(key) for line in lines for key in keys], dtype=object)), ZERO)
