"""The objects that come back from Xero to Procore, by name (declared in ``procore_xero.objects``), and
the staged inputs several of their builds (and the job-cost figures) read the same way.

A step's ``build`` returns the transform frame (validation's and the loader's contract) plus counts of
records it looked at and left alone on purpose (payments on bills not from Procore)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.mapping.inbound.direct_costs import xero_cost_documents
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import LineCoder, budget_codes
from procore_xero.mapping.project_currency import project_currencies as currencies_of_projects
from procore_xero.mapping.spec import MappingSpec
from procore_xero.mapping.staged import read_staged
from procore_xero.mapping.xero_staged import read_xero_staged
from procore_xero.objects import OBJECTS, Direction, SyncObject
from procore_xero.staging import TenantKey

INBOUND_STEPS: dict[str, SyncObject] = {o.name: o for o in OBJECTS if o.direction is Direction.TO_PROCORE}


def line_coder(engine: Engine, tenant: TenantKey, spec: MappingSpec) -> LineCoder:
    return LineCoder.build(
        budget_codes(
            read_staged(engine, "cost_codes", tenant.company_id),
            read_staged(engine, "line_item_types", tenant.company_id),
            spec,
        ),
        spec,
    )


def cost_documents(engine: Engine, tenant: TenantKey, known: KnownInProcore) -> dict[str, pd.DataFrame]:
    """Xero-entered bills and spend money, deleted / voided ones included."""
    return xero_cost_documents(
        read_xero_staged(engine, "invoices", tenant.tenant_id, include_deleted=True),
        read_xero_staged(engine, "bank_transactions", tenant.tenant_id, include_deleted=True),
        known,
    )


def project_currencies(engine: Engine, tenant: TenantKey) -> dict[str, str]:
    """Procore project id -> the project's currency (ISO code), from its staged documents
    (``mapping.project_currency``: Procore publishes none on projects)."""
    company = tenant.company_id
    return currencies_of_projects(
        read_staged(engine, "prime_contracts", company),
        *(read_staged(engine, kind, company) for kind in COMMITMENT_TYPES),
    )
