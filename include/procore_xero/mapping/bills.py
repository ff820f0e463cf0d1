"""Approved subcontractor invoices (requisitions) -> Xero bills (``Invoices``, Type ACCPAY).

Reference rule: the bill's ``InvoiceNumber`` (the "Reference" Xero's UI shows on bills) carries the PO
number when commitments sync, shaped by the ``bill_reference`` setting (``{po_number}-{requisition_number}``:
it is the bill's natural key with the contact: Xero takes a repeated bill number, so a bare PO number would
make a commitment's second invoice look like its first),
else it is Procore's invoice number.
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
from procore_xero.mapping.commitments import po_numbers
from procore_xero.mapping.frames import finish, format_columns, id_text, pluck, valid_dates
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.spec import MappingSpec

COLUMNS = (
    "requisition_id",
    "commitment_id",
    "project_id",
    "vendor_id",
    "invoice_number",
    "procore_invoice_number",
    "contact_mapped",
    *DOCUMENT_COLUMNS,
)


def transform_bills(
    requisitions: pd.DataFrame,
    commitments: pd.DataFrame,
    projects: pd.DataFrame,
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One bill per approved requisition; ``commitments`` holds both commitment types, ``projects`` gives
    the job numbers in PO numbers."""
    approved = requisitions["status"].isin(spec.settings["source_statuses"]["requisitions"])
    docs = requisitions[approved].reset_index(drop=True)
    by_commitment = commitments.assign(
        key=id_text(commitments["id"]), po_number=po_numbers(commitments, projects, spec)
    ).set_index("key")
    frame = billing_figures(docs)
    frame["requisition_id"] = frame["source_id"] = id_text(docs["id"])
    frame["commitment_id"] = id_text(docs["commitment_id"])
    frame["project_id"] = id_text(docs["project_id"])
    frame["vendor_id"] = id_text(pluck(docs["vendor"], "id"))
    frame["procore_invoice_number"] = docs["invoice_number"].astype(object)
    po_number = frame["commitment_id"].map(by_commitment["po_number"])
    frame["invoice_number"] = (
        format_columns(
            spec.settings["bill_reference"],
            {
                "po_number": po_number,
                "requisition_number": docs["number"].astype(object),
                "invoice_number": frame["procore_invoice_number"],
            },
        )
        if spec.commitments_sync
        else frame["procore_invoice_number"]
    )
    frame["contact_id"] = frame["vendor_id"].map(dict(known.contacts))
    frame["contact_mapped"] = frame["contact_id"].notna()
    options = id_text(docs["project_id"]).map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    currency_columns(
        frame,
        pluck(frame["commitment_id"].map(by_commitment["currency_configuration"]), "currency_iso_code"),
        known,
    )
    frame["status"] = docs["status"].astype(object)
    frame["date"] = docs["billing_date"].astype(object)
    frame["date_valid"] = valid_dates(frame["date"])
    frame["due_date"] = docs["payment_date"].astype(object)
    frame["line_amount_types"] = spec.tax["line_amount_types"]
    frame["xero_status"] = spec.xero_status("bills")
    frame["label"] = (
        "Invoice "
        + frame["procore_invoice_number"].astype(str)
        + " on "
        + po_number.fillna("?").astype(str)
        + " ("
        + pluck(docs["vendor"], "name").fillna("?").astype(str)
        + ")"
    )
    coding = LineCoding(
        spec.settings["accounts"]["expense"],
        spec.settings["retainage"]["payable_account"],
        spec.tax["purchase_tax_type"],
    )
    lines = billed_lines(docs, cost_codes, cost_types, options, coding, spec)
    frame = add_line_columns(frame, lines, known, spec)
    return finish(
        frame,
        target_type="Invoices",
        source_type="procore/requisitions",
        natural_key={"InvoiceNumber": "invoice_number", "ContactID": "contact_id"},
        fields=spec.fields("bills"),
        columns=COLUMNS,
    )
