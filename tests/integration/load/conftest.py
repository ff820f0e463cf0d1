"""A SQLite staging database, the Xero tenant's key and hand-built ``Outgoing`` records for the loader."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from procore_xero.outgoing import Outgoing
from procore_xero.staging import TenantKey, create_staging_engine, ensure_schema
from sandbox.process import SandboxProcess


@pytest.fixture
def staging(tmp_path: Path) -> Iterator[Engine]:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def tenant(xero_creds: dict[str, Any], procore_creds: dict[str, Any]) -> TenantKey:
    return TenantKey(int(procore_creds["company_id"]), xero_creds["tenants"][0]["tenant_id"])


def xero_state(sandbox: SandboxProcess, tenant: TenantKey, collection: str) -> list[dict[str, Any]]:
    """What the emulator holds (its own view, not the client's)."""
    records = sandbox.admin("xero", "GET", "state")["tenants"][tenant.tenant_id][collection]
    return list(records.values()) if isinstance(records, dict) else list(records)


def contact(vendor_id: int, name: str, **extra: Any) -> Outgoing:
    number = f"procore-vendor-{vendor_id}"
    return Outgoing(
        "Contacts",
        "procore/vendors",
        str(vendor_id),
        name,
        {"ContactNumber": number},
        {"Name": name, "ContactNumber": number, **extra},
    )


def item(code: str, name: str) -> Outgoing:
    payload = {"Code": code, "Name": name, "PurchaseDetails": {"AccountCode": "310"}}
    return Outgoing("Items", "procore/cost_codes", code, f"Item {code}", {"Code": code}, payload)


def tracking_option(project_id: int, name: str) -> Outgoing:
    return Outgoing(
        "TrackingOptions", "procore/projects", str(project_id), name, {"Name": name}, {"Name": name}
    )


def line(description: str, amount: str, account: str = "310") -> dict[str, Any]:
    return {
        "Description": description,
        "Quantity": Decimal("1"),
        "UnitAmount": Decimal(amount),
        "AccountCode": account,
        "TaxType": "NONE",
    }


def purchase_order(commitment_id: int, number: str, contact_id: str, lines: list[dict]) -> Outgoing:
    payload = {
        "PurchaseOrderNumber": number,
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-02",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": lines,
    }
    return Outgoing(
        "PurchaseOrders",
        "procore/commitments",
        str(commitment_id),
        f"PO {number}",
        {"PurchaseOrderNumber": number},
        payload,
    )


def bill(requisition_id: int, number: str, contact_id: str, lines: list[dict]) -> Outgoing:
    payload = {
        "Type": "ACCPAY",
        "InvoiceNumber": number,
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-31",
        "DueDate": "2026-04-30",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": lines,
    }
    return Outgoing(
        "Invoices",
        "procore/requisitions",
        str(requisition_id),
        f"Invoice {requisition_id} on {number}",
        {"InvoiceNumber": number, "ContactID": contact_id},
        payload,
    )
