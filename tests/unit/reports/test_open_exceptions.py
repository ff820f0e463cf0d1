"""The exceptions page's listing on a real SQLite staging database: which rows, their money, their order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from procore_xero.airflow.pending_approvals import PendingApproval, approval_links
from procore_xero.reports.open_exceptions import (
    ExceptionFilter,
    OpenException,
    RootGroup,
    grouped,
    open_exceptions,
)
from procore_xero.staging import (
    Problem,
    StagingKey,
    TenantKey,
    create_staging_engine,
    ensure_schema,
    raise_exception,
    upsert_records,
)
from procore_xero.staging.schema import exceptions

ALPHA = TenantKey(company_id=4_000_000_001, tenant_id="aaaaaaaa-0000-4000-8000-000000000001")
BETA = TenantKey(company_id=4_000_000_002, tenant_id="bbbbbbbb-0000-4000-8000-000000000002")
TENANTS = {"alpha": ALPHA, "beta": BETA}
PROJECT = 5_000_000_007
APPROVAL = "/dags/procore_to_xero/runs/manual__1/tasks/tenant.controller_approval/mapped/0/required_actions"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    return engine


def queue(engine: Engine, tenant: TenantKey, kind: str, source_id: int, reason: str, values: dict) -> int:
    return raise_exception(
        engine,
        Problem(tenant, "procore", kind, source_id, reason),
        source_label=f"{kind} {source_id} ([x](https://evil.example))",
        message=f"{reason} on {source_id}",
        details={"values": values},
    )


@pytest.fixture
def queued(engine: Engine) -> dict[str, int]:
    """Alpha: a PO over budget by 1,000.25 in PROJECT, an invoice of -150.25 opened 10 days ago, a
    document held for its project (not synced: no job number, say) of 99.00; beta: a PO over budget by
    5,000.00."""
    commitment = {"id": 101, "updated_at": "2026-03-01T10:00:00Z", "deleted_at": None}
    key = StagingKey(company_id=ALPHA.company_id, project_id=PROJECT)
    upsert_records(engine, "procore", "purchase_order_contracts", [commitment], key=key, run_id="r")
    ids = {
        "po": queue(
            engine,
            ALPHA,
            "purchase_order_contracts",
            101,
            "over_budget",
            {"total": "1200.50", "remaining_budget": "200.25"},
        ),
        "invoice": queue(engine, ALPHA, "requisitions", 12, "negative_invoice", {"net_due": "-150.25"}),
        "held": queue(engine, ALPHA, "requisitions", 13, "project_not_synced", {"net_due": "99.00"}),
        "beta_po": queue(
            engine,
            BETA,
            "purchase_order_contracts",
            201,
            "over_budget",
            {"total": "5000.00", "remaining_budget": "0.00"},
        ),
    }
    with engine.begin() as connection:
        connection.execute(
            update(exceptions)
            .where(exceptions.c.id == ids["invoice"])
            .values(created_at=datetime.now(UTC) - timedelta(days=10))
        )
    return ids


def listed(engine: Engine, tenants: dict[str, TenantKey] = TENANTS, **wanted: object) -> list:
    return open_exceptions(
        engine,
        tenants,
        now=datetime.now(UTC),
        approvals={},
        wanted=ExceptionFilter(**wanted),  # type: ignore[arg-type]
    )


def test_every_open_exception_most_money_first(engine: Engine, queued: dict[str, int]) -> None:
    rows = listed(engine)
    assert [(r.tenant, r.exception_id, r.at_stake) for r in rows] == [
        ("beta", queued["beta_po"], Decimal("5000.00")),
        ("alpha", queued["po"], Decimal("1000.25")),
        ("alpha", queued["invoice"], Decimal("150.25")),
        ("alpha", queued["held"], Decimal("99.00")),  # the queue as it is: nothing left out here
    ]
    po = rows[1]
    assert (po.total, po.project_id, po.reason_code, po.source_id) == (
        Decimal("1200.50"),
        str(PROJECT),
        "over_budget",
        "101",
    )
    assert rows[2].total is None and rows[2].project_id is None


def test_only_the_tenants_given_are_read(engine: Engine, queued: dict[str, int]) -> None:
    assert [r.exception_id for r in listed(engine, {"beta": BETA})] == [queued["beta_po"]]
    assert listed(engine, {}) == []


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ({"tenant": "alpha"}, ["po", "invoice", "held"]),
        ({"project": str(PROJECT)}, ["po"]),
        ({"reason": "negative_invoice"}, ["invoice"]),
        ({"min_age": timedelta(days=5)}, ["invoice"]),
        ({"tenant": "beta", "reason": "negative_invoice"}, []),
        ({"reason": "project_not_synced"}, ["held"]),
    ],
)
def test_filters(engine: Engine, queued: dict[str, int], wanted: dict, expected: list[str]) -> None:
    assert [r.exception_id for r in listed(engine, **wanted)] == [queued[name] for name in expected]


def test_a_row_links_to_the_pending_approval_that_offers_it(engine: Engine, queued: dict[str, int]) -> None:
    po = queued["po"]
    pending = PendingApproval(
        "procore_to_xero",
        "manual__1",
        "tenant.controller_approval",
        0,
        ("Leave pending", f"Approve #{po}: PO 7-101 — 1,200.50", f"Reject #{po}: PO 7-101 — 1,200.50"),
    )
    links = approval_links([pending])
    assert links == {po: APPROVAL}
    rows = open_exceptions(engine, TENANTS, now=datetime.now(UTC), approvals=links, wanted=ExceptionFilter())
    assert {r.exception_id: r.approval_url for r in rows} == {
        queued["beta_po"]: None,
        po: APPROVAL,
        queued["invoice"]: None,
        queued["held"]: None,
    }


def test_an_approval_address_escapes_the_run_id() -> None:
    pending = PendingApproval("procore_to_xero", "manual__2026-12-05T20:00:00+00:00", "t", -1, ())
    assert (
        pending.url()
        == "/dags/procore_to_xero/runs/manual__2026-12-05T20%3A00%3A00%2B00%3A00/tasks/t/required_actions"
    )


@pytest.fixture
def held_for_vendors(engine: Engine) -> dict[str, int]:
    """Acme (vendor 77, a duplicate name in Procore) holds two POs (1,000.10 and 2,500.25); Birch (88)
    holds one Xero PO of 99.99; one PO is over budget by 10.00 on its own."""
    key = StagingKey(company_id=ALPHA.company_id, project_id=PROJECT)
    acme = {"id": 77, "company": "Acme [x](https://evil.example)"}
    commitments = [
        {"id": n, "updated_at": "2026-03-01T10:00:00Z", "vendor": acme, "grand_total": total}
        for n, total in ((301, "1000.10"), (302, "2500.25"), (303, "60.00"))
    ]
    upsert_records(engine, "procore", "purchase_order_contracts", commitments, key=key, run_id="r")
    vendors = [{"id": 77, "updated_at": "2026-03-01T10:00:00Z", "name": "Acme"}]
    upsert_records(
        engine, "procore", "vendors", vendors, key=StagingKey(company_id=ALPHA.company_id), run_id="r"
    )
    order = {
        "PurchaseOrderID": "ABCDEF00-0000-4000-8000-000000000001",
        "UpdatedDateUTC": "2026-03-01T10:00:00Z",
        "Contact": {"ContactID": "c0ffee00-0000-4000-8000-000000000088", "Name": "Birch Ltd"},
        "Total": Decimal("99.99"),
    }
    xero_key = StagingKey(tenant_id=ALPHA.tenant_id)
    upsert_records(engine, "xero", "purchase_orders", [order], key=xero_key, run_id="r")
    unmapped = {"contact_mapped": False}
    return {
        "po_301": queue(engine, ALPHA, "purchase_order_contracts", 301, "unmapped_vendor", unmapped),
        "po_302": queue(engine, ALPHA, "purchase_order_contracts", 302, "unmapped_vendor", unmapped),
        "vendor_77": queue(engine, ALPHA, "vendors", 77, "duplicate_vendor_name", {"name": "Acme"}),
        "over": queue(
            engine,
            ALPHA,
            "purchase_order_contracts",
            303,
            "over_budget",
            {"total": "60.00", "remaining_budget": "50.00"},
        ),
        "birch": raise_exception(
            engine,
            Problem(ALPHA, "xero", "purchase_orders", order["PurchaseOrderID"].lower(), "unmapped_vendor"),
            source_label="Xero PO",
            message="the contact is not a Procore vendor yet",
            details={"values": unmapped},
        ),
    }


def test_records_held_for_one_vendor_are_one_row_with_their_count_and_money(
    engine: Engine, held_for_vendors: dict[str, int]
) -> None:
    rows = listed(engine)
    items = grouped(rows)
    acme, birch, over = items
    assert isinstance(acme, RootGroup) and isinstance(birch, RootGroup) and isinstance(over, OpenException)
    assert (acme.root.kind, acme.root.key, acme.root.label) == (
        "vendor",
        "procore:77",
        "Acme [x](https://evil.example)",
    )
    assert sorted(m.exception_id for m in acme.members) == sorted(
        held_for_vendors[name] for name in ("po_301", "po_302", "vendor_77")
    )
    assert (acme.documents, acme.at_stake, acme.total) == (3, Decimal("0.00"), Decimal("3500.35"))
    assert acme.reasons == ["duplicate_vendor_name", "unmapped_vendor"]
    assert (birch.root.key, birch.root.label, birch.documents, birch.total) == (
        "xero:c0ffee00-0000-4000-8000-000000000088",
        "Birch Ltd",
        1,
        Decimal("99.99"),
    )
    assert (over.exception_id, over.at_stake, over.root) == (held_for_vendors["over"], Decimal("10.00"), None)
    assert len(rows) == 5 and len(items) == 3


def test_a_reason_of_its_own_is_never_grouped(engine: Engine, queued: dict[str, int]) -> None:
    rows = listed(engine)
    assert grouped(rows) == rows
