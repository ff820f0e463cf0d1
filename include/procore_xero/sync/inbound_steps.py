"""The objects that come back from Xero to Procore, each reading its staged inputs the same way.

A step's ``build`` returns the transform frame (validation's and the loader's contract) plus counts of
records it looked at and left alone on purpose (payments on bills not from Procore)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.commitments import COMMITMENT_TYPES, all_commitments
from procore_xero.mapping.frames import id_text
from procore_xero.mapping.inbound.direct_costs import transform_direct_costs, xero_cost_documents
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import (
    DOCUMENT_ID_FIELDS,
    LineCoder,
    budget_codes,
    contact_ids,
    document_lines,
)
from procore_xero.mapping.inbound.payments import ignored_payments, transform_payments
from procore_xero.mapping.inbound.purchase_orders import transform_xero_purchase_orders
from procore_xero.mapping.inbound.vendors import transform_vendors
from procore_xero.mapping.project_currency import project_currencies as currencies_of_projects
from procore_xero.mapping.spec import MappingSpec
from procore_xero.mapping.staged import read_staged
from procore_xero.mapping.xero_staged import read_xero_staged
from procore_xero.staging import Crosswalk, TenantKey, all_links

Built = tuple[pd.DataFrame, dict[str, int]]


@dataclass(frozen=True)
class InboundStep:
    """``name`` keys the settings' ``objects:`` section and the validation rules."""

    name: str
    build: Callable[[Engine, TenantKey, MappingSpec, KnownInProcore], Built]


def line_coder(engine: Engine, tenant: TenantKey, spec: MappingSpec) -> LineCoder:
    return LineCoder.build(
        budget_codes(
            read_staged(engine, "cost_codes", tenant.company_id),
            read_staged(engine, "line_item_types", tenant.company_id),
            spec,
        ),
        spec,
    )


def _cost_documents(engine: Engine, tenant: TenantKey, known: KnownInProcore) -> dict[str, pd.DataFrame]:
    """Xero-entered bills and spend money, deleted / voided ones included."""
    return xero_cost_documents(
        read_xero_staged(engine, "invoices", tenant.tenant_id, include_deleted=True),
        read_xero_staged(engine, "bank_transactions", tenant.tenant_id, include_deleted=True),
        known,
    )


def _vendors(engine: Engine, tenant: TenantKey, spec: MappingSpec, known: KnownInProcore) -> Built:
    """Contacts of Xero-entered documents that reach Procore (a line tracked to a synced project)."""
    coder = line_coder(engine, tenant, spec)
    documents = list(_cost_documents(engine, tenant, known).values())
    if spec.enabled("xero_purchase_orders"):
        documents.append(read_xero_staged(engine, "purchase_orders", tenant.tenant_id))
    used: set[str] = set()
    for frame in documents:
        lines = document_lines(frame, known, coder)
        on_projects = set(lines.loc[lines["project_id"].notna(), "doc_id"]) if len(lines) else set()
        ids = _document_ids(frame)
        used |= set(contact_ids(frame)[ids.isin(on_projects)])
    frame = transform_vendors(
        read_xero_staged(engine, "contacts", tenant.tenant_id),
        used,
        read_staged(engine, "vendors", tenant.company_id),
        known,
        spec,
    )
    return frame, {}


def _document_ids(frame: pd.DataFrame) -> pd.Series:
    for field in DOCUMENT_ID_FIELDS:
        if field in frame:
            return id_text(frame[field]).str.lower()
    return pd.Series([], dtype=object)


def _payments(engine: Engine, tenant: TenantKey, spec: MappingSpec, known: KnownInProcore) -> Built:
    payments = read_xero_staged(engine, "payments", tenant.tenant_id, include_deleted=True)
    requisitions = read_staged(engine, "requisitions", tenant.company_id)
    return (
        transform_payments(payments, requisitions, known, spec),
        {"ignored_payments": ignored_payments(payments, known)},
    )


def _direct_costs(engine: Engine, tenant: TenantKey, spec: MappingSpec, known: KnownInProcore) -> Built:
    coder = line_coder(engine, tenant, spec)
    documents = _cost_documents(engine, tenant, known)
    lines = {source: document_lines(frame, known, coder) for source, frame in documents.items()}
    return transform_direct_costs(documents, lines, project_currencies(engine, tenant), known, spec), {}


def project_currencies(engine: Engine, tenant: TenantKey) -> dict[str, str]:
    """Procore project id -> the project's currency (ISO code), from its staged documents
    (``mapping.project_currency``: Procore publishes none on projects)."""
    company = tenant.company_id
    return currencies_of_projects(
        read_staged(engine, "prime_contracts", company),
        *(read_staged(engine, kind, company) for kind in COMMITMENT_TYPES),
    )


def _xero_purchase_orders(
    engine: Engine, tenant: TenantKey, spec: MappingSpec, known: KnownInProcore
) -> Built:
    orders = read_xero_staged(engine, "purchase_orders", tenant.tenant_id)
    company = tenant.company_id
    procore = {
        "commitments": all_commitments(*(read_staged(engine, kind, company) for kind in COMMITMENT_TYPES)),
        **{
            name: read_staged(engine, name, company)
            for name in ("commitment_line_items", "commitment_change_orders")
        },
        "budget": budget_figures(
            read_staged(engine, "budget_view_detail_rows", company),
            read_staged(engine, "line_item_types", company),
        ),
    }
    made = all_links(
        engine, tenant, Crosswalk("xero", "purchase_orders", "procore", "purchase_order_contracts")
    )
    lines = document_lines(orders, known, line_coder(engine, tenant, spec))
    return transform_xero_purchase_orders(orders, lines, procore, known, made, spec), {}


INBOUND_STEPS: dict[str, InboundStep] = {
    step.name: step
    for step in (
        InboundStep("vendors", _vendors),
        InboundStep("payments", _payments),
        InboundStep("direct_costs", _direct_costs),
        InboundStep("xero_purchase_orders", _xero_purchase_orders),
    )
}
