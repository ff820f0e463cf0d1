"""Xero-entered bills and spend money coded to a synced project -> Procore direct costs (job-cost night)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.objects.model import Direction, SyncObject
from procore_xero.objects.rules import UNCODED_XERO_LINES, Rule, is_true

if TYPE_CHECKING:
    from procore_xero.objects.model import Built


def build(engine: Any, tenant: Any, spec: Any, known: Any) -> Built:
    from procore_xero.mapping.inbound.direct_costs import transform_direct_costs
    from procore_xero.mapping.inbound.lines import document_lines
    from procore_xero.sync.inbound_steps import cost_documents, line_coder, project_currencies

    coder = line_coder(engine, tenant, spec)
    documents = cost_documents(engine, tenant, known)
    lines = {source: document_lines(frame, known, coder) for source, frame in documents.items()}
    return transform_direct_costs(documents, lines, project_currencies(engine, tenant), known, spec), {}


DIRECT_COSTS = SyncObject(
    name="direct_costs",
    direction=Direction.TO_PROCORE,
    dag="job_costs",
    staged=("cost_codes", "line_item_types", "prime_contracts", *COMMITMENT_TYPES),
    staged_xero=("invoices", "bank_transactions"),
    build=build,
    mapping="procore_xero.mapping.inbound.direct_costs",
    target="direct_costs",
    natural_key={"origin_id": "source_id"},
    rules=(
        UNCODED_XERO_LINES,
        is_true(
            "currency_matches",
            "currency_mismatch",
            "{label}: the document is in {currency}, the project in {project_currency}",
        ),
        Rule(
            "vendor_not_in_procore",
            "ExpectColumnValuesToBeInSet",
            {"column": "vendor_linked", "value_set": [True]},
            "{label}: the contact is not linked to a Procore vendor, and Procore requires one on a "
            "direct cost (see the vendors step)",
        ),
    ),
    money_columns=("total",),
)
