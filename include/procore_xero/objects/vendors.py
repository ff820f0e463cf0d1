"""Xero contacts on Xero-entered documents that reach a synced project -> Procore vendors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.model import Direction, SyncObject
from procore_xero.objects.rules import CONTROL_CHARACTERS_IN_NAME, Rule, present

if TYPE_CHECKING:
    from procore_xero.objects.model import Built


def build(engine: Any, tenant: Any, spec: Any, known: Any) -> Built:
    """Contacts of Xero-entered documents that reach Procore (a line tracked to a synced project)."""
    from procore_xero.mapping.inbound.lines import contact_ids, document_ids, document_lines
    from procore_xero.mapping.inbound.vendors import transform_vendors
    from procore_xero.mapping.staged import read_staged
    from procore_xero.mapping.xero_staged import read_xero_staged
    from procore_xero.sync.inbound_steps import cost_documents, line_coder

    coder = line_coder(engine, tenant, spec)
    documents = list(cost_documents(engine, tenant, known).values())
    if spec.enabled("xero_purchase_orders"):
        documents.append(read_xero_staged(engine, "purchase_orders", tenant.tenant_id))
    used: set[str] = set()
    for frame in documents:
        lines = document_lines(frame, known, coder)
        on_projects = set(lines.loc[lines["project_id"].notna(), "doc_id"]) if len(lines) else set()
        used |= set(contact_ids(frame)[document_ids(frame).isin(on_projects)])
    frame = transform_vendors(
        read_xero_staged(engine, "contacts", tenant.tenant_id),
        used,
        read_staged(engine, "vendors", tenant.company_id),
        known,
        spec,
    )
    return frame, {}


VENDORS = SyncObject(
    name="vendors",
    direction=Direction.TO_PROCORE,
    dag="xero_to_procore",
    staged=("cost_codes", "line_item_types", "vendors"),
    staged_xero=("invoices", "bank_transactions", "purchase_orders", "contacts"),
    build=build,
    mapping="procore_xero.mapping.inbound.vendors",
    target="vendors",
    natural_key={"origin_id": "source_id"},
    rules=(
        *present("name", "missing_vendor_name", "{label}: the contact has no name"),
        CONTROL_CHARACTERS_IN_NAME,
        Rule(
            "ambiguous_vendor_match",
            "ExpectColumnValuesToBeBetween",
            {"column": "match_count", "max_value": 1},
            "{label}: {match_count} Procore vendors share this name (ids {matched_vendor_ids}); "
            "which one it is needs a person",
            shows=("match_count", "matched_vendor_ids"),
        ),
    ),
    referenced_later=("xero/contacts",),  # the vendor each contact became: later steps' documents name it
)
