"""Procore subcontractor invoices (requisitions) -> Xero bills (ACCPAY invoices)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.rules import (
    DOCUMENT_MONEY,
    GONE_IN_XERO,
    INVOICE_MONEY_RULES,
    VENDOR_NOT_MAPPED,
    Rule,
    is_true,
    mapping_rules,
)

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames

# Bills and sales invoices are both Xero Invoices (told apart by Type).
INVOICES = XeroTarget("Invoices", "Invoices", "InvoiceID", updatable=True)


def transform(frames: Frames, known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.bills import transform_bills
    from procore_xero.mapping.commitments import commitments_of

    return transform_bills(
        frames["requisitions"],
        commitments_of(frames),
        frames["commitment_line_items"],
        frames["projects"],
        frames["cost_codes"],
        frames["line_item_types"],
        known,
        spec,
    )


BILLS = SyncObject(
    name="bills",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=(
        "requisitions",
        *COMMITMENT_TYPES,
        "commitment_line_items",
        "projects",
        "cost_codes",
        "line_item_types",
    ),
    transform=transform,
    mapping="procore_xero.mapping.bills",
    target=INVOICES,
    natural_key={"InvoiceNumber": "invoice_number", "ContactID": "contact_id"},
    rules=(
        *mapping_rules("contact_mapped", VENDOR_NOT_MAPPED),
        is_true(
            "has_items",
            "missing_invoice_items",
            "{label}: Procore sent no items (G703 lines), where the period's figures are; "
            "they come only with view=extended",
        ),
        Rule(
            "amount_not_a_number",
            "ExpectColumnValuesToBeInSet",
            {"column": "bad_amounts", "value_set": [""]},
            "{label}: not an amount: {bad_amounts}",
        ),
        *INVOICE_MONEY_RULES,
        Rule(
            "duplicate_invoice_number",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["vendor_id", "invoice_number"]},
            "{label}: vendor {vendor_id} has another bill numbered {invoice_number}",
        ),
    ),
    money_columns=DOCUMENT_MONEY,
    documents=True,
    approvable=GONE_IN_XERO,
)
