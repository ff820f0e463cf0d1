"""Documents the sync wrote to Xero (bills, purchase orders) that someone has since changed on one side.

Edited in Xero: Xero's ``UpdatedDateUTC`` is newer than what the sync last wrote (kept in ``id_map``) and no
payment explains it (applying or deleting a payment also touches a bill), or the document was deleted or
voided there. Edited in Procore: the record's ``updated_at`` is after the sync last wrote its copy. Either way
the two systems may now disagree until a person decides which is right.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from procore_xero.reports.commitments import DEAD, bills_by_id
from procore_xero.reports.frames import records, rows_frame, text_id, total
from procore_xero.reports.inputs import DriftInputs
from procore_xero.reports.money import ZERO, dec
from procore_xero.reports.settings import DriftSettings
from procore_xero.staging.id_map import Mapping as Link
from procore_xero.staging.timestamps import parse_api_timestamp

PAYMENT_SLACK = timedelta(seconds=5)  # a payment and the bill it touches carry the same moment
COLUMNS = [
    "kind",
    "source_type",
    "source_id",
    "commitment_id",
    "project_id",
    "label",
    "xero_id",
    "xero_number",
    "xero_status",
    "procore_amount",
    "xero_amount",
    "difference",
    "edited_in_xero",
    "edited_in_procore",
]


def document_rows(inputs: DriftInputs, settings: DriftSettings, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per synced bill and purchase order of an in-scope project."""
    scope = set(projects["project_id"])
    rows = [*_bills(inputs, settings), *_purchase_orders(inputs, settings)]
    frame = rows_frame(rows, COLUMNS)
    return frame[frame["project_id"].isin(scope)].reset_index(drop=True)


def _bills(inputs: DriftInputs, settings: DriftSettings) -> list[dict[str, Any]]:
    bills = bills_by_id(inputs)
    paid_at = _payment_times(inputs)
    commitments = {str(c["id"]): c for c in records(inputs.procore["commitments"])}
    finalised = settings.source_statuses["requisitions"]
    rows = []
    for invoice in records(inputs.procore["requisitions"]):
        link = inputs.bill_links.get(str(invoice["id"]))
        if link is None:
            continue
        bill = bills.get(link.target_id.lower())
        number = (commitments.get(str(invoice.get("commitment_id"))) or {}).get("number") or ""
        procore = (
            dec((invoice.get("summary") or {}).get("current_payment_due"))
            if invoice.get("status") in finalised
            else ZERO
        )
        rows.append(
            _row(
                "bill",
                "requisitions",
                invoice,
                link,
                bill,
                f"Invoice {invoice.get('invoice_number') or invoice['id']} on {number}".strip(),
                procore,
                "InvoiceNumber",
                paid_at.get(link.target_id.lower()),
            )
        )
    return rows


def _purchase_orders(inputs: DriftInputs, settings: DriftSettings) -> list[dict[str, Any]]:
    orders = {str(o["PurchaseOrderID"]).lower(): o for o in records(inputs.xero["purchase_orders"])}
    totals = _commitment_totals(inputs, settings)
    rows = []
    for commitment in records(inputs.procore["commitments"]):
        link = inputs.po_links.get(str(commitment["id"]))
        if link is None:
            continue
        vendor = (commitment.get("vendor") or {}).get("company") or ""
        rows.append(
            _row(
                "purchase order",
                str(commitment["kind"]),
                {**commitment, "commitment_id": commitment["id"]},
                link,
                orders.get(link.target_id.lower()),
                f"Commitment {commitment.get('number')} ({vendor})",
                totals.get(str(commitment["id"]), ZERO),
                "PurchaseOrderNumber",
                None,
            )
        )
    return rows


def _row(
    kind: str,
    source_type: str,
    record: Mapping[str, Any],
    link: Link,
    copy: Mapping[str, Any] | None,
    label: str,
    procore_amount: Any,
    number_field: str,
    paid_at: datetime | None,
) -> dict[str, Any]:
    live = copy is not None and copy.get("Status") not in DEAD
    xero_amount = dec(copy.get("Total")) if live and copy else ZERO
    return {
        "kind": kind,
        "source_type": source_type,
        "source_id": str(record["id"]),
        "commitment_id": text_id(record.get("commitment_id")),
        "project_id": text_id(record.get("project_id")),
        "label": label,
        "xero_id": link.target_id,
        "xero_number": (copy or {}).get(number_field) or "",
        "xero_status": (copy or {}).get("Status") or "not in Xero",
        "procore_amount": procore_amount,
        "xero_amount": xero_amount,
        "difference": procore_amount - xero_amount,
        "edited_in_xero": _edited_in_xero(copy, link, paid_at),
        "edited_in_procore": _after(parse_api_timestamp(record.get("updated_at")), link.synced_at),
    }


def _edited_in_xero(copy: Mapping[str, Any] | None, link: Link, paid_at: datetime | None) -> bool:
    if copy is None:
        return False  # not staged (yet): nothing known to compare
    if copy.get("Status") in DEAD:
        return True
    changed = parse_api_timestamp(copy.get("UpdatedDateUTC"))
    if not _after(changed, link.target_updated_at):
        return False
    return not (paid_at is not None and changed is not None and paid_at >= changed - PAYMENT_SLACK)


def _after(moment: datetime | None, reference: datetime | None) -> bool:
    if moment is None or reference is None:
        return False
    return moment > (reference if reference.tzinfo else reference.replace(tzinfo=UTC))


def _payment_times(inputs: DriftInputs) -> dict[str, datetime]:
    """Bill id (lower case) -> when a payment on it last changed (applied or deleted)."""
    latest: dict[str, datetime] = {}
    for payment in records(inputs.xero["payments"]):
        bill = str((payment.get("Invoice") or {}).get("InvoiceID") or "").lower()
        moment = parse_api_timestamp(payment.get("UpdatedDateUTC"))
        if bill and moment is not None and (bill not in latest or moment > latest[bill]):
            latest[bill] = moment
    return latest


def _commitment_totals(inputs: DriftInputs, settings: DriftSettings) -> dict[str, Any]:
    """Commitment id -> SOV lines + approved change orders' totals: what its Xero PO should total."""
    statuses = settings.source_statuses["change_orders"]
    amounts: dict[str, list[Any]] = {}
    for line in records(inputs.procore["commitment_line_items"]):
        amounts.setdefault(str((line.get("holder") or {}).get("id")), []).append(line.get("amount"))
    for order in records(inputs.procore["commitment_change_orders"], lambda o: o.get("status") in statuses):
        amounts.setdefault(str(order.get("contract_id")), []).append(order.get("grand_total"))
    return {commitment: total(values) for commitment, values in amounts.items()}
