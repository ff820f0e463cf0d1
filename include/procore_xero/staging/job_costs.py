"""The job-cost figures table: replaced whole per tenant each night, read by the budget view and the drift
report. Amounts go in and come out as ``Decimal``; the table holds integer cents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import TenantKey
from procore_xero.staging.schema import JOB_COST_FIGURES as FIGURES
from procore_xero.staging.schema import job_costs
from procore_xero.staging.timestamps import utc_now

CENTS = Decimal(100)
CENT = Decimal("0.01")


def replace_job_costs(
    bind: Engine | Connection, tenant: TenantKey, rows: Iterable[Mapping[str, Any]], *, run_id: str | None
) -> int:
    """The tenant's figures become ``rows`` (one transaction: readers never see half a night)."""
    now = utc_now()
    values = [
        {
            "company_id": tenant.company_id,
            "tenant_id": tenant.tenant_id,
            "project_id": int(row["project_id"]),
            "cost_code_id": int(row["cost_code_id"]),
            "line_item_type_id": int(row["line_item_type_id"]),
            "cost_code": str(row["cost_code"]),
            "cost_type": str(row["cost_type"]),
            "currency": str(row["currency"]),
            "base_currency": str(row["base_currency"]),
            **{f"{name}_cents": _cents(row[name]) for name in FIGURES},
            "computed_at": now,
            "run_id": run_id,
        }
        for row in rows
    ]
    with transaction(bind) as connection:
        connection.execute(delete(job_costs).where(tenant.rows_of(job_costs)))
        if values:
            connection.execute(insert(job_costs), values)
    return len(values)


def read_job_costs(bind: Engine | Connection, tenant: TenantKey | None = None) -> list[dict[str, Any]]:
    """The tenant's figures (every tenant's with None), amounts as Decimal, by project and cost code."""
    query = select(job_costs).order_by(job_costs.c.project_id, job_costs.c.cost_code, job_costs.c.cost_type)
    if tenant is not None:
        query = query.where(tenant.rows_of(job_costs))
    with transaction(bind) as connection:
        rows = connection.execute(query).mappings()
        return [
            {
                **{k: v for k, v in row.items() if not k.endswith("_cents")},
                **{name: (Decimal(row[f"{name}_cents"]) / CENTS).quantize(CENT) for name in FIGURES},
            }
            for row in rows
        ]


def _cents(amount: Any) -> int:
    cents = Decimal(str(amount)) * CENTS
    if cents != cents.to_integral_value():
        raise ValueError(f"job-cost amount {amount!r} is not whole cents")
    return int(cents)
