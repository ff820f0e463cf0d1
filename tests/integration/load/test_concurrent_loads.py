"""Two runs of the bills step (and of the PO step) at once against the Xero emulator, which — like Xero —
lets a bill number repeat: the write lease lets one run create and the other find its records. Also the
commitment line of 1,250 × 87.333 that Xero would store 3.75 short."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine

from procore_xero.clients import XeroClient
from procore_xero.load import LoadReport
from procore_xero.mapping.lines import line_items
from procore_xero.outgoing import Outgoing
from procore_xero.staging import (
    Crosswalk,
    TenantKey,
    create_staging_engine,
    ensure_schema,
    list_open,
    lookup_mappings,
)
from procore_xero.staging.write_leases import LeaseBusy, write_lease
from procore_xero.to_xero.loader import load_to_xero
from sandbox.process import SandboxProcess
from tests.integration.load.conftest import bill, line, purchase_order, xero_state

BILLS = 60  # two batches of 50: the runs would interleave between them
ORDERS = 30


def _supplier(client: XeroClient) -> str:
    contacts = next(client.pages("Contacts"))
    return next(c["ContactID"] for c in contacts if c["ContactStatus"] == "ACTIVE")


def _both(
    make_xero: Callable[..., XeroClient], engine: Engine, tenant: TenantKey, records: list[Outgoing]
) -> list[LoadReport]:
    """Two runs started together, each with its own client (as two Celery workers would be)."""
    clients = [make_xero(), make_xero()]
    start = threading.Barrier(2)

    def run(index: int) -> LoadReport:
        start.wait()
        return load_to_xero(clients[index], engine, tenant, records, run_id=f"run-{index}")

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(run, range(2)))


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = create_staging_engine(database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def test_two_bill_runs_at_once_create_each_bill_once(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], engine: Engine, tenant: TenantKey
) -> None:
    supplier = _supplier(make_xero())
    records = [
        bill(9000 + n, f"CONC-{n:03d}", supplier, [line("Work", f"{100 + n}.25")]) for n in range(BILLS)
    ]

    reports = _both(make_xero, engine, tenant, records)

    counts = sorted(
        (r.counts["Invoices"].created, r.counts["Invoices"].unchanged, r.counts["Invoices"].failed)
        for r in reports
    )
    assert counts == [(0, BILLS, 0), (BILLS, 0, 0)]
    held = [i for i in xero_state(sandbox, tenant, "Invoices") if i["InvoiceNumber"].startswith("CONC-")]
    assert len(held) == BILLS
    assert sorted(i["InvoiceNumber"] for i in held) == [f"CONC-{n:03d}" for n in range(BILLS)]
    assert sum(Decimal(str(i["Total"])) for i in held) == sum(Decimal(f"{100 + n}.25") for n in range(BILLS))
    crosswalk = Crosswalk("procore", "requisitions", "xero", "Invoices")
    mapped = lookup_mappings(engine, tenant, crosswalk, [str(9000 + n) for n in range(BILLS)])
    assert {m.target_id for m in mapped.values()} == {i["InvoiceID"] for i in held}
    assert list_open(engine, tenant) == []


def test_two_purchase_order_runs_at_once_create_each_order_once(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], engine: Engine, tenant: TenantKey
) -> None:
    supplier = _supplier(make_xero())
    records = [
        purchase_order(7000 + n, f"CONC-PO-{n:03d}", supplier, [line("Scope", "1000.00")])
        for n in range(ORDERS)
    ]

    reports = _both(make_xero, engine, tenant, records)

    counts = sorted(
        (
            r.counts["PurchaseOrders"].created,
            r.counts["PurchaseOrders"].unchanged,
            r.counts["PurchaseOrders"].failed,
        )
        for r in reports
    )
    assert counts == [(0, ORDERS, 0), (ORDERS, 0, 0)]
    held = [
        p
        for p in xero_state(sandbox, tenant, "PurchaseOrders")
        if p["PurchaseOrderNumber"].startswith("CONC-PO-")
    ]
    assert sorted(p["PurchaseOrderNumber"] for p in held) == [f"CONC-PO-{n:03d}" for n in range(ORDERS)]
    assert list_open(engine, tenant) == []


def test_a_lease_is_one_holder_at_a_time_and_a_dead_holders_lease_expires(engine: Engine) -> None:
    with write_lease(engine, "TENANT-A", "Invoices") as first:
        busy = pytest.raises(LeaseBusy, match="another run has been writing Invoices to Xero tenant tenant-a")
        with busy, write_lease(engine, "tenant-a", "Invoices", wait=0.3, poll=0.1):
            pass
        with write_lease(engine, "tenant-a", "PurchaseOrders", wait=0):  # another type: free
            pass
        first.renew()
    with write_lease(engine, "tenant-a", "Invoices", ttl=0.0) as dead:
        with write_lease(engine, "tenant-a", "Invoices", wait=1.0, poll=0.05):  # taken over once expired
            pass
        with pytest.raises(RuntimeError, match="expired and another run took it"):
            dead.renew()


def test_a_commitment_line_of_1250_at_87_333_lands_to_the_cent(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], engine: Engine, tenant: TenantKey
) -> None:
    client = make_xero()
    supplier = _supplier(client)
    lines = pd.DataFrame(
        [
            {
                "doc_id": "41",
                "order": 0,
                "item_code": None,
                "description": "Rebar",
                "quantity": Decimal("1250"),
                "unit_amount": Decimal("87.333"),
                "line_amount": Decimal("109166.25"),
                "account_code": "310",
                "tax_type": "NONE",
                "option": None,
            }
        ]
    )
    ((sent,),) = line_items(lines, pd.Series(["41"]), "Project")
    as_today = {**sent, "Quantity": Decimal("1250"), "UnitAmount": Decimal("87.333"), "Description": "Rebar"}
    (today,) = client.save(
        "PurchaseOrders",
        [{**purchase_order(40, "UNIT-TODAY", supplier, [as_today]).payload}],
    )
    assert today.element["Total"] == 109162.5  # Xero keeps 87.33: 3.75 short

    report = load_to_xero(
        client, engine, tenant, [purchase_order(41, "UNIT-1", supplier, [sent])], run_id="r"
    )

    assert report.counts["PurchaseOrders"].created == 1
    (held,) = [
        p for p in xero_state(sandbox, tenant, "PurchaseOrders") if p["PurchaseOrderNumber"] == "UNIT-1"
    ]
    assert held["Total"] == 109166.25
    assert [
        (x["Quantity"], x["UnitAmount"], x["LineAmount"], x["Description"]) for x in held["LineItems"]
    ] == [(1.0, 109166.25, 109166.25, "Rebar (1250 × 87.333 in Procore)")]
