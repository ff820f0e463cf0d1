"""Procore invoiced vs Xero billed per commitment, which must agree to the cent.

Procore invoiced: the net amount due of every finalised subcontractor invoice on the commitment (what the
bill's total must equal). Xero billed: the totals of the live bills the sync created for the commitment's
invoices (deleted or voided bills count nothing). Paid: those bills' ``AmountPaid``. An invoice with no live
bill is counted and named, so the difference explains itself (held, pending or removed in Xero).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from procore_xero.object_column import object_column
from procore_xero.reports.frames import records, rows_frame, sum_by, text_id
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import ZERO, dec
from procore_xero.reports.settings import DriftSettings

DEAD = ("DELETED", "VOIDED")
FIGURES = ("procore_invoiced", "xero_billed", "xero_paid", "not_in_xero_amount")
COUNTS = ("procore_invoices", "xero_bills", "not_in_xero")
COLUMNS = [
    "commitment_id",
    "project_id",
    "number",
    "vendor",
    "currency",
    *FIGURES,
    *COUNTS,
    "difference",
]


def bills_by_id(inputs: DriftInputs) -> dict[str, dict[str, Any]]:
    """Staged Xero bills by lower-case InvoiceID (deleted ones included)."""
    return {str(b["InvoiceID"]).lower(): b for b in records(inputs.xero["invoices"])}


def invoice_rows(inputs: DriftInputs, settings: DriftSettings) -> pd.DataFrame:
    """One row per subcontractor invoice that counts on either side: finalised in Procore, or with a bill."""
    bills = bills_by_id(inputs)
    finalised = settings.source_statuses["requisitions"]
    rows = []
    for invoice in records(inputs.procore["requisitions"]):
        link = inputs.bill_links.get(str(invoice["id"]))
        bill = bills.get(link.target_id.lower()) if link else None
        live = bill is not None and bill.get("Status") not in DEAD
        counted = invoice.get("status") in finalised
        if not counted and not live:
            continue
        rows.append(
            {
                "requisition_id": str(invoice["id"]),
                "commitment_id": text_id(invoice.get("commitment_id")),
                "project_id": text_id(invoice.get("project_id")),
                "procore_invoiced": dec((invoice.get("summary") or {}).get("current_payment_due"))
                if counted
                else ZERO,
                "xero_billed": dec((bill or {}).get("Total")) if live else ZERO,
                "xero_paid": dec((bill or {}).get("AmountPaid")) if live else ZERO,
                "procore_invoices": int(counted),
                "xero_bills": int(live),
                "not_in_xero": int(counted and not live),
            }
        )
    frame = rows_frame(rows, ["requisition_id", "commitment_id", "project_id", *FIGURES[:3], *COUNTS])
    frame["not_in_xero_amount"] = object_column(
        frame,
        (
            amount if missing else ZERO
            for amount, missing in zip(frame["procore_invoiced"], frame["not_in_xero"], strict=True)
        ),
    )
    return frame


def commitment_rows(
    inputs: DriftInputs, settings: DriftSettings, projects: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """One row per commitment of an in-scope project with invoices on either side."""
    scoped = invoices[invoices["project_id"].isin(set(projects["project_id"]))]
    totals = sum_by(scoped, ["commitment_id", "project_id"], [*FIGURES, *COUNTS])
    for name in COUNTS:
        totals[name] = totals[name].map(int)
    commitments = {str(c["id"]): c for c in records(inputs.procore["commitments"])}
    currency = projects.set_index("project_id")["currency"]
    totals["number"] = totals["commitment_id"].map(lambda c: _commitment(commitments, c, "number"))
    totals["vendor"] = totals["commitment_id"].map(lambda c: _vendor(commitments.get(c)))
    totals["currency"] = totals["project_id"].map(currency)
    totals["difference"] = totals["procore_invoiced"] - totals["xero_billed"]
    return totals[COLUMNS].astype(object)


def _commitment(commitments: Mapping[str, Any], commitment_id: str, field: str) -> str:
    return str((commitments.get(commitment_id) or {}).get(field) or commitment_id)


def _vendor(commitment: Mapping[str, Any] | None) -> str:
    """A commitment names its vendor as ``vendor {id, company}``."""
    return str(((commitment or {}).get("vendor") or {}).get("company") or "")
