"""Xero payments on bills the sync created -> Procore payments issued (``contract_payments``).

Each Xero payment is one Procore payment (partial payments too), keyed by ``origin_id`` = the PaymentID; a
payment deleted in Xero is reversed (``action`` "delete"). Payments on bills that did not come from Procore
are not this sync's business: ``ignored_payments`` counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from procore_xero.mapping.frames import finish, id_text
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import CENT, xero_day
from procore_xero.mapping.spec import MappingSpec
from procore_xero.objects.payments import PAYMENTS
from procore_xero.staging.objects import XERO_DELETED_STATUSES

COLUMNS = ("action", "project_id", "requisition_id", "contract_id", "amount", "date", "currency")
BILL_PAYMENT = "ACCPAYPAYMENT"


def transform_payments(
    payments: pd.DataFrame, requisitions: pd.DataFrame, known: KnownInProcore, spec: MappingSpec
) -> pd.DataFrame:
    """Payments (deleted ones included) on bills from Procore subcontractor invoices."""
    by_id = _requisitions(requisitions)
    rows = []
    for payment in payments.to_dict("records", into=dict):
        requisition_id = known.requisition_by_bill.get(_bill_id(payment))
        if requisition_id is not None:
            rows.append(_row(payment, requisition_id, by_id.get(requisition_id, {})))
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS), dtype=object)
    return finish(
        frame,
        target_type=PAYMENTS.target_type,
        source_type="xero/payments",
        natural_key=PAYMENTS.natural_key,
        fields=spec.fields("payments"),
        columns=COLUMNS,
    )


def ignored_payments(payments: pd.DataFrame, known: KnownInProcore) -> int:
    """Live payments on bills that did not come from Procore (counted, never sent)."""
    return sum(
        1
        for payment in payments.to_dict("records", into=dict)
        if payment.get("PaymentType") == BILL_PAYMENT
        and str(payment.get("Status", "")).upper() not in XERO_DELETED_STATUSES
        and _bill_id(payment) not in known.requisition_by_bill
    )


_ROW_COLUMNS = ("source_id", "label", *COLUMNS, "invoice_number", "notes")


def _bill_id(payment: Mapping[str, Any]) -> str:
    return str((payment.get("Invoice") or {}).get("InvoiceID", "")).lower()


def _requisitions(requisitions: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if requisitions.empty:
        return {}
    return dict(zip(id_text(requisitions["id"]), requisitions.to_dict("records"), strict=True))


def _row(payment: Mapping[str, Any], requisition_id: str, requisition: Mapping[str, Any]) -> dict[str, Any]:
    amount = Decimal(str(payment.get("Amount") or 0)).quantize(CENT)
    paid_on = xero_day(payment.get("Date"))
    bill_number = (payment.get("Invoice") or {}).get("InvoiceNumber") or ""
    deleted = str(payment.get("Status", "")).upper() in XERO_DELETED_STATUSES
    return {
        "source_id": str(payment["PaymentID"]).lower(),
        "label": f"Payment of {amount} on bill {bill_number} ({paid_on or 'no date'})",
        "action": "delete" if deleted else "upsert",
        "project_id": _text(requisition.get("project_id")),
        "requisition_id": requisition_id,
        "contract_id": _integer(requisition.get("commitment_id")),  # Procore's body types it integer
        "amount": amount,
        "date": paid_on,
        "currency": (payment.get("Invoice") or {}).get("CurrencyCode"),
        # Procore's "Invoice #" on a payment: the subcontractor's own number, else Procore's sequence.
        "invoice_number": str(requisition.get("invoice_number") or requisition.get("number") or "") or None,
        "notes": (payment.get("Reference") or "").strip() or None,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _integer(value: Any) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
