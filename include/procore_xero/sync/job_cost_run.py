"""The nightly job-cost figures: every finalised bill and spend-money line tracked to a synced project."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine

from procore_xero.mapping import MappingSpec
from procore_xero.mapping.frames import ZERO
from procore_xero.mapping.inbound.job_costs import FIGURES, job_cost_figures, other_currency_lines
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import FINAL_STATUSES, document_lines
from procore_xero.mapping.xero_staged import read_xero_staged
from procore_xero.staging import TenantKey
from procore_xero.sync.inbound_steps import line_coder, project_currencies
from procore_xero.tenant_run import TenantRun

DOCUMENT_TYPES = (("invoices", "ACCPAY"), ("bank_transactions", "SPEND"))


def final_cost_lines(
    engine: Engine, tenant: TenantKey, spec: MappingSpec, known: KnownInProcore
) -> pd.DataFrame:
    """``document_lines`` of every finalised bill and spend money staged from Xero."""
    coder = line_coder(engine, tenant, spec)
    lines = []
    for object_type, kind in DOCUMENT_TYPES:
        documents = read_xero_staged(engine, object_type, tenant.tenant_id)
        if documents.empty:
            continue
        final = documents[(documents["Type"] == kind) & documents["Status"].isin(FINAL_STATUSES)]
        lines.append(document_lines(final, known, coder))
    return pd.concat(lines, ignore_index=True) if lines else document_lines(pd.DataFrame(), known, coder)


def compute_job_costs(lines: pd.DataFrame, currencies: dict[str, str], known: KnownInProcore) -> pd.DataFrame:
    """One row per project and budget code with the figures, the project's and the base currency."""
    frame = job_cost_figures(lines, frozenset(known.requisition_by_bill), currencies, known.base_currency)
    frame["currency"] = frame["project_id"].map(lambda p: currencies.get(p, known.base_currency))
    frame["base_currency"] = known.base_currency
    return frame


def refresh_job_costs(run: TenantRun, known: KnownInProcore) -> dict[str, Any]:
    """Compute the figures and keep them in the run's ledger (``job_costs``); returns counts,
    base-currency totals and the lines left out for being in another currency than their project's."""
    lines = final_cost_lines(run.engine, run.key, run.spec, known)
    currencies = project_currencies(run.engine, run.key)
    rows = cast(list[dict[str, Any]], compute_job_costs(lines, currencies, known).to_dict("records"))
    run.ledger.replace_job_costs(rows)
    totals = {
        name: str(sum((Decimal(r[name]) for r in rows), ZERO)) for name in FIGURES if name.endswith("_base")
    }
    left_out = other_currency_lines(lines, currencies, known.base_currency)
    return {
        "budget_codes": len(rows),
        "projects": len({r["project_id"] for r in rows}),
        "totals_base": totals,
        "other_currency_lines": len(left_out),
        "other_currency_base": str(sum(left_out["line_amount_base"], ZERO)),
    }
