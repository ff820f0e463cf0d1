"""Everything the report reads, from staging only (no API call): both systems' records, the crosswalk,
the nightly job-cost figures and the open exceptions. Read once, then computed on in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.mapping.staged import read_staged
from procore_xero.mapping.xero_staged import read_xero_staged
from procore_xero.reports.exception_roots import (
    ROOT_REASONS,
    StagedDocument,
    project_labels,
    staged_documents,
)
from procore_xero.staging import (
    Crosswalk,
    QueuedException,
    TenantKey,
    all_links,
    list_open,
    lookup_mappings,
    staging_table,
)
from procore_xero.staging.id_map import Mapping as Link
from procore_xero.staging.job_costs import read_job_costs
from procore_xero.staging.objects import get_object_type

PROCORE_TYPES = (
    "projects",
    "prime_contracts",  # the projects' currencies (mapping.project_currency)
    "cost_codes",
    "line_item_types",
    "budget_view_detail_rows",
    "commitment_line_items",
    "commitment_change_orders",
    "requisitions",
    "payment_applications",  # counted per project not sent by design (reports.by_design)
)


@dataclass(frozen=True)
class DriftInputs:
    """``procore``/``xero``: staged frames by object type; ``links``: crosswalk entries by kind;
    ``record_projects``: (system, object type, source id) of each open exception -> its project id."""

    tenant: TenantKey
    procore: Mapping[str, pd.DataFrame]
    xero: Mapping[str, pd.DataFrame]
    job_costs: pd.DataFrame
    project_options: Mapping[str, str]  # Procore project id -> Xero TrackingOptionID (synced projects)
    bill_links: Mapping[str, Link]  # requisition id -> its bill
    po_links: Mapping[str, Link]  # commitment id -> its purchase order
    exceptions: tuple[QueuedException, ...]
    record_projects: Mapping[tuple[str, str, str], str | None]
    base_currency: str
    figures_at: datetime | None  # when the job_costs DAG last computed the figures
    # vendor and amount of each record held for a root (``reports.exception_roots``)
    record_documents: Mapping[tuple[str, str, str], StagedDocument] = field(default_factory=dict)
    project_labels: Mapping[str, str] = field(default_factory=dict)  # of the queued records' projects


def read_inputs(engine: Engine, tenant: TenantKey, base_currency: str | None = None) -> DriftInputs:
    """Read the tenant's staged state; ``base_currency`` defaults to the one the job-cost figures carry."""
    company = tenant.company_id
    procore = {name: read_staged(engine, name, company) for name in PROCORE_TYPES}
    procore["commitments"] = _commitments(engine, company)
    xero = {
        name: read_xero_staged(engine, name, tenant.tenant_id, include_deleted=True)
        for name in ("invoices", "purchase_orders", "payments", "bank_transactions")
    }
    job_costs = pd.DataFrame(read_job_costs(engine, tenant))
    options = all_links(engine, tenant, Crosswalk("procore", "projects", "xero", "TrackingOptions"))
    bills = Crosswalk("procore", "requisitions", "xero", "Invoices")
    bill_links = lookup_mappings(engine, tenant, bills, all_links(engine, tenant, bills))
    po_links: dict[str, Link] = {}
    for kind in COMMITMENT_TYPES:
        crosswalk = Crosswalk("procore", kind, "xero", "PurchaseOrders")
        po_links.update(lookup_mappings(engine, tenant, crosswalk, all_links(engine, tenant, crosswalk)))
    waiting = tuple(list_open(engine, tenant))
    projects_of = record_projects(engine, tenant, waiting, options)
    return DriftInputs(
        tenant=tenant,
        procore=procore,
        xero=xero,
        job_costs=job_costs,
        project_options=options,
        bill_links=bill_links,
        po_links=po_links,
        exceptions=waiting,
        record_projects=projects_of,
        base_currency=base_currency or _figures_currency(job_costs),
        figures_at=job_costs["computed_at"].max().to_pydatetime() if len(job_costs) else None,
        record_documents=staged_documents(
            engine,
            tenant,
            {
                (e.problem.source_system, e.problem.object_type, str(e.problem.source_id))
                for e in waiting
                if e.problem.reason_code in ROOT_REASONS
            },
        ),
        project_labels=project_labels(engine, tenant, {p for p in projects_of.values() if p is not None}),
    )


def _commitments(engine: Engine, company_id: int) -> pd.DataFrame:
    frames = [read_staged(engine, kind, company_id).assign(kind=kind) for kind in COMMITMENT_TYPES]
    frames = [frame for frame in frames if len(frame)]
    return pd.concat(frames, ignore_index=True).astype(object) if frames else pd.DataFrame()


def _figures_currency(job_costs: pd.DataFrame) -> str:
    if len(job_costs) == 0:
        raise ValueError("no job-cost figures staged and no base currency given: run the job_costs DAG first")
    return str(job_costs["base_currency"].iloc[0])


def record_projects(
    engine: Engine, tenant: TenantKey, waiting: tuple[QueuedException, ...], options: Mapping[str, str]
) -> dict[tuple[str, str, str], str | None]:
    """Which project each queued record belongs to: Procore records by their staged ``project_id`` (a
    project by itself), Xero documents by the Project tracking on their lines; None when it has none."""
    project_of_option = {option.lower(): project for project, option in options.items()}
    wanted: dict[tuple[str, str], set[str]] = {}
    for exception in waiting:
        problem = exception.problem
        wanted.setdefault((problem.source_system, problem.object_type), set()).add(str(problem.source_id))
    found: dict[tuple[str, str, str], str | None] = {}
    for (system, object_type), ids in wanted.items():
        try:
            get_object_type(system, object_type)
        except (KeyError, ValueError):
            continue  # not a staged type (e.g. the settings' retainage item)
        if system == "procore":
            found.update(_procore_projects(engine, tenant, object_type, ids))
        else:
            found.update(_xero_projects(engine, tenant, object_type, ids, project_of_option))
    return found


def _procore_projects(
    engine: Engine, tenant: TenantKey, object_type: str, ids: set[str]
) -> dict[tuple[str, str, str], str | None]:
    numeric = [int(i) for i in ids if i.isdigit()]
    if object_type == "projects":
        return {("procore", object_type, str(i)): str(i) for i in numeric}
    table = staging_table("procore", object_type)
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.project_id).where(
                table.c.company_id == tenant.company_id, table.c.id.in_(numeric)
            )
        ).all()
    return {
        ("procore", object_type, str(row.id)): None if row.project_id is None else str(row.project_id)
        for row in rows
    }


def _xero_projects(
    engine: Engine, tenant: TenantKey, object_type: str, ids: set[str], project_of_option: Mapping[str, str]
) -> dict[tuple[str, str, str], str | None]:
    table = staging_table("xero", object_type)
    wanted = {i.lower(): i for i in ids}
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.raw).where(
                table.c.tenant_id == tenant.tenant_id, table.c.id.in_(sorted({*wanted, *wanted.values()}))
            )
        ).all()
    found = {}
    for row in rows:
        source_id = wanted.get(str(row.id).lower())
        if source_id is not None:
            found[("xero", object_type, source_id)] = _tracked_project(row.raw, project_of_option)
    return found


def _tracked_project(record: Mapping[str, Any], project_of_option: Mapping[str, str]) -> str | None:
    for line in record.get("LineItems") or []:
        for tracking in line.get("Tracking") or []:
            project = project_of_option.get(str(tracking.get("TrackingOptionID", "")).lower())
            if project is not None:
                return project
    return None
