"""The job-cost figures table: replaced whole per tenant, amounts in and out as Decimal (cents inside)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import Engine, select

from procore_xero.staging import TenantKey
from procore_xero.staging.job_costs import FIGURES, read_job_costs, replace_job_costs
from procore_xero.staging.schema import job_costs

TENANT = TenantKey(company_id=4_000_000_123, tenant_id="tenant-a")
OTHER_TENANT = TenantKey(company_id=4_000_000_123, tenant_id="tenant-b")
OTHER_COMPANY = TenantKey(company_id=4_000_000_999, tenant_id="tenant-a")


def _row(project: str, code_id: str, type_id: str, code: str, kind: str, *amounts: str) -> dict[str, Any]:
    """A row as ``compute_job_costs`` gives it: text ids, Decimal figures, the two currencies."""
    return {
        "project_id": project,
        "cost_code_id": code_id,
        "line_item_type_id": type_id,
        "cost_code": code,
        "cost_type": kind,
        "currency": "CAD",
        "base_currency": "USD",
        **{name: D(amount) for name, amount in zip(FIGURES, amounts, strict=True)},
    }


ROWS = [
    _row("8", "200", "1", "03-300", "M", "40.00", "0.00", "40.00", "29.63", "0.00", "29.63"),
    _row("7", "101", "2", "01-100", "L", "12.50", "0.00", "12.50", "9.26", "0.00", "9.26"),
    _row("7", "100", "1", "03-300", "M", "1100.01", "1000.00", "100.01", "814.82", "740.74", "74.08"),
    _row("7", "100", "2", "03-300", "L", "-12.34", "0.00", "-12.34", "-9.14", "0.00", "-9.14"),
]


def _figures(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["project_id"], row["cost_code"], row["cost_type"], *(row[name] for name in FIGURES))


def test_round_trip_keeps_every_cent_and_orders_by_project_and_code(staging_engine: Engine) -> None:
    assert replace_job_costs(staging_engine, TENANT, ROWS, run_id="run-1") == 4
    read = read_job_costs(staging_engine, TENANT)
    assert [_figures(row) for row in read] == [
        (7, "01-100", "L", D("12.50"), D("0.00"), D("12.50"), D("9.26"), D("0.00"), D("9.26")),
        (7, "03-300", "L", D("-12.34"), D("0.00"), D("-12.34"), D("-9.14"), D("0.00"), D("-9.14")),
        (
            7,
            "03-300",
            "M",
            D("1100.01"),
            D("1000.00"),
            D("100.01"),
            D("814.82"),
            D("740.74"),
            D("74.08"),
        ),
        (8, "03-300", "M", D("40.00"), D("0.00"), D("40.00"), D("29.63"), D("0.00"), D("29.63")),
    ]
    assert [str(row["commitment_invoiced"]) for row in read] == ["0.00", "0.00", "1000.00", "0.00"]
    first = read[0]
    assert (first["company_id"], first["tenant_id"]) == (4_000_000_123, "tenant-a")
    assert (first["cost_code_id"], first["line_item_type_id"]) == (101, 2)
    assert (first["currency"], first["base_currency"], first["run_id"]) == ("CAD", "USD", "run-1")
    assert first["computed_at"].utcoffset() == timedelta(0)
    assert not any(key.endswith("_cents") for key in first)
    with staging_engine.connect() as connection:
        cents = connection.execute(select(job_costs.c.jtd_cost_cents)).scalars()
        assert sorted(cents) == [-1234, 1250, 4000, 110001]


def test_replace_replaces_the_whole_tenant_and_nothing_else(staging_engine: Engine) -> None:
    replace_job_costs(staging_engine, TENANT, ROWS, run_id="run-1")
    replace_job_costs(staging_engine, OTHER_TENANT, ROWS[:1], run_id="run-b")
    replace_job_costs(staging_engine, OTHER_COMPANY, ROWS[1:2], run_id="run-c")
    updated = _row(
        "7", "100", "1", "03-300", "M", "1200.00", "1000.00", "200.00", "888.89", "740.74", "148.15"
    )
    assert replace_job_costs(staging_engine, TENANT, [updated], run_id="run-2") == 1
    (row,) = read_job_costs(staging_engine, TENANT)
    assert _figures(row) == (
        7,
        "03-300",
        "M",
        D("1200.00"),
        D("1000.00"),
        D("200.00"),
        D("888.89"),
        D("740.74"),
        D("148.15"),
    )
    assert row["run_id"] == "run-2"
    assert [(r["project_id"], r["run_id"]) for r in read_job_costs(staging_engine, OTHER_TENANT)] == [
        (8, "run-b")
    ]
    assert [(r["cost_code"], r["run_id"]) for r in read_job_costs(staging_engine, OTHER_COMPANY)] == [
        ("01-100", "run-c")
    ]


def test_no_rows_empty_the_tenant(staging_engine: Engine) -> None:
    replace_job_costs(staging_engine, TENANT, ROWS, run_id=None)
    assert read_job_costs(staging_engine, TENANT)[0]["run_id"] is None
    assert replace_job_costs(staging_engine, TENANT, [], run_id="run-2") == 0
    assert read_job_costs(staging_engine, TENANT) == []


def test_an_amount_not_in_whole_cents_is_refused_and_the_old_figures_stay(staging_engine: Engine) -> None:
    replace_job_costs(staging_engine, TENANT, ROWS, run_id="run-1")
    bad = {**ROWS[0], "jtd_cost_base": D("29.635")}
    with pytest.raises(ValueError, match="not whole cents"):
        replace_job_costs(staging_engine, TENANT, [bad], run_id="run-2")
    assert len(read_job_costs(staging_engine, TENANT)) == 4
    assert {row["run_id"] for row in read_job_costs(staging_engine, TENANT)} == {"run-1"}


def test_amounts_given_as_text_or_integers_are_stored_exactly(staging_engine: Engine) -> None:
    row = {**ROWS[0], "jtd_cost": "40.1", "direct_costs": 40, "jtd_cost_base": D("29.6300")}
    replace_job_costs(staging_engine, TENANT, [row], run_id="run-1")
    (read,) = read_job_costs(staging_engine, TENANT)
    assert (read["jtd_cost"], read["direct_costs"], read["jtd_cost_base"]) == (
        D("40.10"),
        D("40.00"),
        D("29.63"),
    )
    assert str(read["direct_costs"]) == "40.00"
