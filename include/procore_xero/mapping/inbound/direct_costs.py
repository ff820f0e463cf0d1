"""Bills and spend money entered in Xero, tracked to synced projects -> Procore direct costs (nightly).

One direct cost per document and project (``origin_id`` = the Xero id; ``id:project`` when one document's
lines are tracked to several projects): type invoice for bills, expense for spend money, lines coded to
budget codes. Bills the sync created are excluded (Procore already counts them as commitment invoiced),
and so is anything else the sync wrote. A document voided or deleted in Xero reverses its direct cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from procore_xero.mapping.frames import ZERO, finish
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import CENT, FINAL_STATUSES, xero_day
from procore_xero.mapping.staged import records_frame
from procore_xero.objects.direct_costs import DIRECT_COSTS

COLUMNS = (
    "action",
    "project_id",
    "direct_cost_type",
    "total",
    "currency",
    "project_currency",
    "currency_matches",
    "unmapped_lines",
    "vendor_linked",
)
DOCUMENT_KINDS = {
    "xero/invoices": ("InvoiceID", "invoice"),
    "xero/bank_transactions": ("BankTransactionID", "expense"),
}


def xero_cost_documents(
    bills: pd.DataFrame, spend_money: pd.DataFrame, known: KnownInProcore
) -> dict[str, pd.DataFrame]:
    """The documents that may carry job costs entered in Xero: ACCPAY bills and SPEND transactions the
    sync did not write (deleted / voided ones included, to reverse what was sent)."""
    documents = {}
    for source_type, frame, kind_field, kind in (
        ("xero/invoices", bills, "Type", "ACCPAY"),
        ("xero/bank_transactions", spend_money, "Type", "SPEND"),
    ):
        id_field = DOCUMENT_KINDS[source_type][0]
        records = [
            r
            for r in frame.to_dict("records")
            if r.get(kind_field) == kind
            and str(r[id_field]).lower() not in known.requisition_by_bill
            and str(r[id_field]).lower() not in known.made_by_sync
        ]
        documents[source_type] = records_frame(records)
    return documents


def transform_direct_costs(
    documents: Mapping[str, pd.DataFrame],
    lines: Mapping[str, pd.DataFrame],
    project_currencies: Mapping[str, str],
    known: KnownInProcore,
    spec: Any,
) -> pd.DataFrame:
    """``documents`` / ``lines`` per source type (``xero_cost_documents`` / ``document_lines``)."""
    rows = []
    for source_type, frame in documents.items():
        id_field, cost_type = DOCUMENT_KINDS[source_type]
        by_doc = (
            {doc_id: group for doc_id, group in lines[source_type].groupby("doc_id")}
            if len(lines[source_type])
            else {}
        )
        for record in frame.to_dict("records", into=dict):
            doc_lines = by_doc.get(str(record[id_field]).lower(), pd.DataFrame())
            tracked = doc_lines[doc_lines["project_id"].notna()] if len(doc_lines) else doc_lines
            projects = sorted(set(tracked["project_id"])) if len(tracked) else []
            for project_id in projects:
                rows.append(
                    _row(
                        source_type,
                        record,
                        id_field,
                        cost_type,
                        project_id,
                        tracked[tracked["project_id"] == project_id],
                        multi=len(projects) > 1,
                        project_currency=project_currencies.get(project_id, known.base_currency),
                        known=known,
                    )
                )
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS), dtype=object)
    return finish(
        frame,
        target_type=DIRECT_COSTS.target_type,
        source_type=None,
        natural_key=DIRECT_COSTS.natural_key,
        fields=spec.fields("direct_costs"),
        columns=COLUMNS,
    )


_ROW_COLUMNS = (
    "source_type",
    "source_id",
    "label",
    *COLUMNS,
    "date",
    "vendor_id",
    "invoice_number",
    "description",
    "line_items",
)


def _row(
    source_type: str,
    record: Mapping[str, Any],
    id_field: str,
    cost_type: str,
    project_id: str,
    lines: pd.DataFrame,
    *,
    multi: bool,
    project_currency: str,
    known: KnownInProcore,
) -> dict[str, Any]:
    doc_id = str(record[id_field]).lower()
    contact = record.get("Contact") or {}
    vendor_id = known.vendor_of(contact)
    number = record.get("InvoiceNumber") if cost_type == "invoice" else record.get("Reference")
    currency = record.get("CurrencyCode") or known.base_currency
    total = sum(lines["line_amount"], ZERO)
    kind = "Bill" if cost_type == "invoice" else "Spend money"
    return {
        "source_type": source_type,
        "source_id": f"{doc_id}:{project_id}" if multi else doc_id,
        "label": f"{kind} {number or doc_id} from {contact.get('Name') or 'no contact'} ({currency} {total})",
        "action": "upsert" if str(record.get("Status")) in FINAL_STATUSES else "delete",
        "project_id": project_id,
        "direct_cost_type": cost_type,
        "total": total,
        "currency": currency,
        "project_currency": project_currency,
        "currency_matches": currency == project_currency,
        "unmapped_lines": int((~lines["mapped"].astype(bool)).sum()),
        "vendor_linked": vendor_id is not None,
        "date": xero_day(record.get("Date")),
        "vendor_id": vendor_id,
        # Procore requires an invoice number on every direct cost: the Xero number, else the Xero id's head.
        "invoice_number": str(number or "").strip() or f"XERO-{doc_id[:8]}",
        "description": f"{kind} in Xero: {number or doc_id}",
        "line_items": [procore_line(line) for line in lines.to_dict("records", into=dict) if line["mapped"]],
    }


def procore_line(line: Mapping[str, Any]) -> dict[str, Any]:
    """A coded Xero line as a Procore cost line (direct cost line, schedule-of-values line).

    Procore keeps quantity and unit cost to the cent; Xero allows four decimals (3.125 × 10.1234 = 31.64).
    Such a line goes as 1 × its amount, the Xero figures in the description, so Procore's line still
    multiplies out to the amount Xero holds, to the cent; so does a line whose figures (a unit amount read
    at 2 decimals) do not multiply out to Xero's line amount."""
    quantity, unit = Decimal(line["quantity"]), Decimal(line["unit_amount"])
    description = line["description"]
    exact = (quantity * unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal(
        line["line_amount"]
    )
    if not (_in_cents(quantity) and _in_cents(unit) and exact):
        description = f"{description} ({quantity} × {unit} in Xero)".strip()
        quantity, unit = Decimal(1), line["line_amount"]
    return {
        "cost_code_id": int(line["cost_code_id"]),
        "line_item_type_id": int(line["line_item_type_id"]),
        "description": description,
        "quantity": quantity,
        "unit_cost": unit,
        "amount": line["line_amount"],
    }


def _in_cents(value: Decimal) -> bool:
    return value == value.quantize(CENT)
