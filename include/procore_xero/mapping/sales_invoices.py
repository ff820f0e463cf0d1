"""Approved owner payment applications on prime contracts -> Xero sales invoices (``Invoices``, ACCREC).

The contact is the project's owner: the prime contract's ``vendor`` is a company of the Procore directory,
synced as a Contact like any vendor, so ``known.contacts`` (Procore vendor id -> ContactID) is keyed by that
vendor id here too. Lines and retainage follow bills (``billed``), on the receivable side: revenue account,
retainage receivable account. ``InvoiceNumber`` is Procore's invoice number (unique per organisation in
Xero, as ACCREC numbers must be); ``Reference`` the application number.
"""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.billed import (
    DOCUMENT_COLUMNS,
    LineCoding,
    add_line_columns,
    billed_lines,
    billing_figures,
    currency_columns,
)
from procore_xero.mapping.frames import finish, id_text, pluck, valid_dates
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.spec import MappingSpec

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
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One sales invoice per approved payment application."""
    approved = payment_applications["status"].isin(spec.settings["source_statuses"]["payment_applications"])
    docs = payment_applications[approved].reset_index(drop=True)
    contracts = prime_contracts.assign(key=id_text(prime_contracts["id"])).set_index("key")
    frame = billing_figures(docs)
    frame["payment_application_id"] = frame["source_id"] = id_text(docs["id"])
    frame["prime_contract_id"] = id_text(docs["prime_contract_id"])
    frame["project_id"] = id_text(docs["project_id"])
    owner = frame["prime_contract_id"].map(contracts["vendor"])
    frame["owner_vendor_id"] = id_text(pluck(owner, "id"))
    frame["contact_id"] = frame["owner_vendor_id"].map(dict(known.contacts))
    frame["owner_contact_mapped"] = frame["contact_id"].notna()
    options = frame["project_id"].map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    currency_columns(
        frame,
        pluck(frame["prime_contract_id"].map(contracts["currency_configuration"]), "currency_iso_code"),
        known,
    )
    frame["status"] = docs["status"].astype(object)
    frame["invoice_number"] = docs["invoice_number"].astype(object)
    frame["reference"] = docs["number"].astype(str).astype(object)
    frame["date"] = docs["billing_date"].astype(object)
    frame["date_valid"] = valid_dates(frame["date"])
    terms = pd.Timedelta(days=int(spec.settings["sales_payment_terms_days"]))
    due = pd.to_datetime(frame["date"].where(frame["date_valid"], None)) + terms  # bad dates are held
    frame["due_date"] = due.dt.strftime("%Y-%m-%d").astype(object).where(due.notna(), None)
    frame["line_amount_types"] = spec.tax["line_amount_types"]
    frame["xero_status"] = spec.xero_status("sales_invoices")
    frame["label"] = (
        "Owner invoice "
        + frame["invoice_number"].fillna("?").astype(str)
        + " ("
        + pluck(owner, "name").fillna("?").astype(str)
        + ")"
    )
    coding = LineCoding(
        spec.settings["accounts"]["revenue"],
        spec.settings["retainage"]["receivable_account"],
        spec.tax["sales_tax_type"],
    )
    lines = billed_lines(docs, cost_codes, cost_types, options, coding, spec)
    frame = add_line_columns(frame, lines, known, spec)
    return finish(
        frame,
        target_type="Invoices",
        source_type="procore/payment_applications",
        natural_key={"InvoiceNumber": "invoice_number"},
        fields=spec.fields("sales_invoices"),
        columns=COLUMNS,
    )
