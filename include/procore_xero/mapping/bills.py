"""Approved subcontractor invoices (requisitions) -> Xero bills (``Invoices``, Type ACCPAY).

Reference rule: the bill's ``InvoiceNumber`` (the "Reference" Xero's UI shows on bills) carries the PO
number when commitments sync, shaped by the ``bill_reference`` setting (``{po_number}-{requisition_number}``:
it is the bill's natural key with the contact: Xero takes a repeated bill number, so a bare PO number would
make a commitment's second invoice look like its first),
else it is Procore's invoice number.

Figures: the period's work, stored materials and retainage come from the requisition's items (read with
``view=extended``; see ``invoice_items``), the amount due from its G702 summary (``current_payment_due``).
The vendor is the requisition's ``vendor_id``, else its commitment's; the currency the requisition's own.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from procore_xero.mapping.billed import (
    DOCUMENT_COLUMNS,
    LineCoding,
    add_line_columns,
    currency_columns,
    document_lines,
)
from procore_xero.mapping.commitments import po_numbers
from procore_xero.mapping.frames import (
    ZERO,
    finish,
    format_columns,
    id_text,
    pluck,
    valid_dates,
)
from procore_xero.mapping.invoice_items import FIGURE_COLUMNS, cent_amount, line_types, read_items
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.spec import MappingSpec
from procore_xero.object_column import object_column
from procore_xero.objects.bills import BILLS

COLUMNS = (
    "requisition_id",
    "commitment_id",
    "project_id",
    "vendor_id",
    "invoice_number",
    "procore_invoice_number",
    "contact_mapped",
    "has_items",
    "bad_amounts",
    *DOCUMENT_COLUMNS,
)


def transform_bills(
    requisitions: pd.DataFrame,
    commitments: pd.DataFrame,
    commitment_lines: pd.DataFrame,
    projects: pd.DataFrame,
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    known: KnownInXero,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One bill per approved requisition; ``commitments`` holds both commitment types, ``projects`` gives
    the job numbers in PO numbers, ``commitment_lines`` the cost type of each item's SOV line."""
    approved = requisitions["status"].isin(spec.settings.source_statuses.requisitions)
    docs = requisitions[approved].reset_index(drop=True)
    by_commitment = commitments.assign(
        key=id_text(commitments["id"]), po_number=po_numbers(commitments, projects, spec)
    ).set_index("key")
    frame = pd.DataFrame(index=docs.index)
    frame["requisition_id"] = frame["source_id"] = id_text(docs["id"])
    frame["commitment_id"] = id_text(docs["commitment_id"])
    frame["project_id"] = id_text(docs["project_id"])
    frame["vendor_id"] = _vendor_ids(docs, frame["commitment_id"].map(by_commitment["vendor"]))
    frame["procore_invoice_number"] = docs["invoice_number"].astype(object)
    po_number = frame["commitment_id"].map(by_commitment["po_number"])
    frame["invoice_number"] = (
        format_columns(
            spec.settings.bill_reference,
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
    options = frame["project_id"].map(dict(known.project_options))
    frame["project_option_mapped"] = options.notna()
    currency_columns(frame, pluck(_column(docs, "currency_configuration"), "currency_iso_code"), known)
    sov, figures = read_items(docs, frame["source_id"], options, line_types(commitment_lines))
    frame[list(FIGURE_COLUMNS)] = figures
    _summary_columns(frame, docs["summary"] if "summary" in docs.columns else pd.Series([None] * len(docs)))
    frame["status"] = docs["status"].astype(object)
    frame["date"] = docs["billing_date"].astype(object)
    frame["date_valid"] = valid_dates(frame["date"])
    frame["due_date"] = docs["payment_date"].astype(object)
    frame["line_amount_types"] = spec.settings.tax.line_amount_types
    frame["xero_status"] = spec.xero_status("bills")
    frame["label"] = (
        "Invoice "
        + frame["procore_invoice_number"].astype(str)
        + " on "
        + po_number.fillna("?").astype(str)
        + " ("
        + _column(docs, "vendor_name").fillna("?").astype(str)
        + ")"
    )
    coding = LineCoding(
        spec.settings.accounts.expense,
        spec.settings.retainage.payable_account,
        spec.settings.tax.purchase_tax_type,
    )
    retainage = frame[["retainage_held", "retainage_released"]].assign(
        doc_id=frame["source_id"], option=options
    )
    lines = document_lines(sov, retainage, cost_codes, cost_types, coding, spec)
    frame = add_line_columns(frame, lines, known, spec)
    return finish(
        frame,
        target_type=BILLS.target_type,
        source_type="procore/requisitions",
        natural_key=BILLS.natural_key,
        fields=spec.fields("bills"),
        columns=COLUMNS,
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return (
        frame[name].astype(object) if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
    )


def _vendor_ids(docs: pd.DataFrame, commitment_vendors: pd.Series) -> pd.Series:
    """The invoice's ``vendor_id`` (v1.1), else its commitment's vendor (``vendor.id``)."""
    own = id_text(_column(docs, "vendor_id"))
    return own.where(own.notna(), id_text(pluck(commitment_vendors, "id")))


def _summary_columns(frame: pd.DataFrame, summaries: pd.Series) -> None:
    """``has_summary`` and ``net_due`` (Procore's current payment due, exact); a due that is not an amount
    joins ``bad_amounts``."""
    frame["has_summary"] = [isinstance(summary, Mapping) for summary in summaries]
    due = [cent_amount(s.get("current_payment_due")) if isinstance(s, Mapping) else ZERO for s in summaries]
    frame["net_due"] = object_column(frame, (ZERO if amount is None else amount for amount in due))
    for row, (amount, summary) in enumerate(zip(due, summaries, strict=True)):
        if amount is None:
            named = f"current_payment_due {summary.get('current_payment_due')!r}"
            earlier = frame["bad_amounts"].iat[row]
            frame.iat[row, list(frame.columns).index("bad_amounts")] = "; ".join(
                part for part in (str(earlier or ""), named) if part
            )
