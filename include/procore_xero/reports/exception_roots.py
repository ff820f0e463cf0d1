"""The root a held document waits on: one vendor missing or ambiguous in Xero, or one project not synced.

Fixing the root releases every document held for it, so the controller sees one line per root ("27
vendors and 1 project") with how many documents wait on it and their money, not hundreds of documents. The
vendor and the amount are read from the staged record: the failing values a mapping rule stores name
neither (``unmapped_vendor`` only says the contact is not mapped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from procore_xero.reports.money import dec
from procore_xero.staging import TenantKey
from procore_xero.staging.schema import staging_table

VENDOR_REASONS = frozenset({"unmapped_vendor", "duplicate_vendor_name", "contact_name_near_match"})
# a document held because its project is not a tracking option, and what keeps the project itself out
PROJECT_REASONS = frozenset({"project_not_synced", "missing_job_number", "duplicate_job_number"})
ROOT_REASONS = VENDOR_REASONS | PROJECT_REASONS
VENDOR_RECORDS = frozenset({("procore", "vendors"), ("xero", "contacts")})  # a vendor by itself
AMOUNT_PATHS = (  # where a staged document keeps its money, first found wins
    ("grand_total",),  # Procore commitments, direct costs
    ("summary", "current_payment_due"),  # Procore subcontractor invoices (G702)
    ("g702", "current_payment_due"),  # Procore owner invoices
    ("Total",),  # Xero documents
)

RecordKey = tuple[str, str, str]  # (source system, object type, source id)


@dataclass(frozen=True)
class Root:
    """What many held documents wait on: ``kind`` is ``vendor`` or ``project``; ``key`` its id (one root
    however its records spell its name)."""

    kind: str
    key: str
    label: str = field(compare=False)


@dataclass(frozen=True)
class StagedDocument:
    """What the staged record says about a held document: its vendor and its amount (None: not known)."""

    vendor: Root | None
    amount: Decimal | None


def root_of(
    reason: str, project: str | None, staged: StagedDocument | None, projects: Mapping[str, str]
) -> Root | None:
    """The root a document held for ``reason`` waits on, or None when the reason is its own;
    ``projects``: project id -> its label (``project_labels``)."""
    if reason in VENDOR_REASONS and staged is not None:
        return staged.vendor
    if reason in PROJECT_REASONS and project is not None:
        return Root("project", project, projects.get(project) or f"project {project}")
    return None


def project_labels(engine: Engine, tenant: TenantKey, project_ids: Iterable[str]) -> dict[str, str]:
    """Project id -> "25-104 Denver Hotel", or "Denver Hotel (no job number)": what the controller finds
    the project by in Procore (a project held as a root may well have no job number)."""
    return {
        source_id: _project_label(raw)
        for source_id, raw in _staged_raw(engine, tenant, "procore", "projects", set(project_ids))
    }


def _project_label(raw: Mapping[str, Any]) -> str:
    name = str(raw.get("name") or f"project {raw.get('id')}")
    number = raw.get("project_number")
    return f"{number} {name}" if number else f"{name} (no job number)"


def staged_documents(
    engine: Engine, tenant: TenantKey, records: Iterable[RecordKey]
) -> dict[RecordKey, StagedDocument]:
    """Vendor and amount of each of ``records`` that is staged (Procore by company, Xero by organisation)."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for system, object_type, source_id in records:
        wanted.setdefault((system, object_type), set()).add(source_id)
    found: dict[RecordKey, StagedDocument] = {}
    for (system, object_type), ids in wanted.items():
        for source_id, raw in _staged_raw(engine, tenant, system, object_type, ids):
            found[(system, object_type, source_id)] = StagedDocument(
                _vendor(system, object_type, source_id, raw), _amount(raw)
            )
    return found


def _staged_raw(
    engine: Engine, tenant: TenantKey, system: str, object_type: str, ids: set[str]
) -> list[tuple[str, Mapping[str, Any]]]:
    try:
        table = staging_table(system, object_type)
    except (KeyError, ValueError):
        return []  # not a staged type
    asked = {i.lower(): i for i in ids}  # Xero ids are GUIDs, staged in whichever case Xero sent
    if system == "procore":
        numeric = sorted(int(i) for i in ids if i.isdigit())
        where = (table.c.company_id == tenant.company_id, table.c.id.in_(numeric))
    else:
        where = (table.c.tenant_id == tenant.tenant_id, func.lower(table.c.id).in_(sorted(asked)))
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.raw).where(*where)).all()
    return [(asked.get(str(row.id).lower(), str(row.id)), row.raw or {}) for row in rows]


def _vendor(system: str, object_type: str, source_id: str, raw: Mapping[str, Any]) -> Root | None:
    """Procore: the vendor (the record itself, or ``vendor`` / ``vendor_id``); Xero: the contact."""
    if (system, object_type) in VENDOR_RECORDS:
        return Root("vendor", f"{system}:{source_id}", str(raw.get("name") or raw.get("Name") or source_id))
    if system == "xero":
        contact = raw.get("Contact") or {}
        key = contact.get("ContactID")
        return Root("vendor", f"xero:{key}", str(contact.get("Name") or key)) if key else None
    vendor = raw.get("vendor")
    if not isinstance(vendor, Mapping):
        vendor = {}
    key = vendor.get("id") or raw.get("vendor_id")
    if key is None:
        return None
    name = vendor.get("company") or vendor.get("name") or raw.get("vendor_name") or f"vendor {key}"
    return Root("vendor", f"procore:{key}", str(name))


def _amount(raw: Mapping[str, Any]) -> Decimal | None:
    for path in AMOUNT_PATHS:
        value: Any = raw
        for step in path:
            value = value.get(step) if isinstance(value, Mapping) else None
        if value is not None:
            return dec(value)
    return None
