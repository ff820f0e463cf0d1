"""Hand-built transform frames following the contract in ``procore_xero.outgoing`` (one row per record)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

SETTINGS = {"send_to_xero_stage": "Send to Xero", "tracking_category": "Project"}


def _row(target_type: str, source_type: str, source_id: str, label: str, **columns: Any) -> dict[str, Any]:
    return {
        "target_type": target_type,
        "source_type": source_type,
        "source_id": source_id,
        "label": label,
        "natural_key": {},
        "payload": {},
        **columns,
    }


def tracking_option(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "project_id": source_id,
        "job_number": f"J-{source_id}",
        "project_name": f"Project {source_id}",
        "stage_name": "Send to Xero",
    }
    columns.update(overrides)
    columns.setdefault("option_name", f"{columns['job_number']} {columns['project_name']}")
    return _row("TrackingOptions", "procore/projects", source_id, f"Project {source_id}", **columns)


def item(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "cost_code": "03-300",
        "cost_type": "M",
        "code": f"03-300-{source_id}",
        "description": "Cast-in-place concrete",
        "name_truncated": False,
        **overrides,
    }
    return _row("Items", "procore/cost_codes", source_id, f"Cost code {columns['code']}", **columns)


def contact(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "vendor_id": source_id,
        "name": f"Vendor {source_id}",
        "contact_number": source_id,
        "name_is_text": True,
        "name_type": "str",
        "name_controls": "",
        **overrides,
    }
    return _row("Contacts", "procore/vendors", source_id, f"Vendor {source_id}", **columns)


def purchase_order(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "commitment_id": source_id,
        "commitment_type": "work_order_contract",
        "number": f"WO-{source_id}",
        "vendor_id": "501",
        "contact_mapped": True,
        "project_id": "9",
        "project_option_mapped": True,
        "unmapped_lines": 0,
        "status": "Approved",
        "total": Decimal("12500.00"),
        "remaining_budget": Decimal("40000.00"),
        "currency": "USD",
        "currency_enabled": True,
        "change_order_ids": [],
        **overrides,
    }
    return _row(
        "PurchaseOrders", "procore/work_order_contracts", source_id, f"PO {columns['number']}", **columns
    )


def _invoice_money(overrides: dict[str, Any]) -> dict[str, Any]:
    """A consistent period: gross 10,000.00, 10% held, nothing released, net 9,000.00."""
    return {
        "gross_this_period": Decimal("10000.00"),
        "retainage_held": Decimal("1000.00"),
        "retainage_released": Decimal("0.00"),
        "net_due": Decimal("9000.00"),
        "lines_total": Decimal("9000.00"),
        "sov_total": Decimal("10000.00"),
        "has_lines": True,
        "date": "2026-11-02",
        "date_valid": True,
        "has_summary": True,
        "currency": "USD",
        "currency_enabled": True,
        "status": "approved",
        "project_option_mapped": True,
        "unmapped_lines": 0,
        "project_id": "9",
        **overrides,
    }


def bill(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "requisition_id": source_id,
        "commitment_id": "77",
        "vendor_id": "501",
        "invoice_number": f"WO-77-{source_id}",
        "procore_invoice_number": f"ACM-77-{source_id}",
        "contact_mapped": True,
        "has_items": True,
        "bad_amounts": "",
        **_invoice_money(overrides),
    }
    return _row("Invoices", "procore/requisitions", source_id, f"Invoice {source_id} on PO WO-77", **columns)


def sales_invoice(source_id: str, **overrides: Any) -> dict[str, Any]:
    columns = {
        "payment_application_id": source_id,
        "prime_contract_id": "31",
        "owner_contact_mapped": True,
        **_invoice_money(overrides),
    }
    return _row(
        "Invoices", "procore/payment_applications", source_id, f"Pay app {source_id} (prime 31)", **columns
    )


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))
