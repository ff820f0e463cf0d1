"""Procore owner invoices (payment applications) -> Xero sales invoices (ACCREC invoices)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.bills import INVOICES
from procore_xero.objects.model import Direction, SyncObject
from procore_xero.objects.rules import DOCUMENT_MONEY, GONE_IN_XERO, INVOICE_MONEY_RULES, mapping_rules

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames


def transform(frames: Frames, known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.sales_invoices import transform_sales_invoices

    return transform_sales_invoices(
        frames["payment_applications"],
        frames["prime_contracts"],
        frames["prime_contract_line_items"],
        frames["cost_codes"],
        frames["line_item_types"],
        known,
        spec,
    )


SALES_INVOICES = SyncObject(
    name="sales_invoices",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=(
        "payment_applications",
        "prime_contracts",
        "prime_contract_line_items",
        "cost_codes",
        "line_item_types",
    ),
    transform=transform,
    mapping="procore_xero.mapping.sales_invoices",
    target=INVOICES,
    natural_key={"InvoiceNumber": "invoice_number"},
    rules=(
        *mapping_rules("owner_contact_mapped", "{label}: the project's owner is not a contact in Xero"),
        *INVOICE_MONEY_RULES,
    ),
    money_columns=DOCUMENT_MONEY,
    documents=True,
    approvable=GONE_IN_XERO,
)
