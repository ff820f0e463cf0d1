"""One declarative spec per extracted object type: the API path, its scope, and which filters it honours.

Pure data with no heavy imports, so DAG files can build one task per spec at parse time. Checked against
the emulator's routes (docs/sandbox-procore.md, docs/sandbox-xero.md) and Procore's / Xero's docs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcoreSpec:
    """``path`` may hold ``{company_id}``, ``{project_id}`` and (nested specs) ``{parent_id}``.

    ``incremental``: the list honours ``filters[updated_at]`` (read only what changed since the watermark).
    ``deletions``: soft-deleted records are listed with ``filters[include_deleted]=with``. ``parents``: a
    nested read once per parent record; parents are the staged records of those types changed in the window
    (all on a full read), or always all of them when ``every_parent`` (the nested rows change without their
    parent changing). ``embedded``: the nested path is the parent's show and the rows are this key of it.
    ``paged``: False for a list Procore publishes without paging (one call answers every record).
    """

    name: str
    path: str
    project_scoped: bool = False
    incremental: bool = True
    deletions: bool = False
    parents: tuple[str, ...] = ()
    every_parent: bool = False
    embedded: str | None = None
    paged: bool = True

    @property
    def nested(self) -> bool:
        return bool(self.parents)


@dataclass(frozen=True)
class XeroSpec:
    """``endpoint`` under ``/api.xro/2.0``; ``paged`` lists take ``page``/``pageSize``; ``incremental``
    ones honour ``If-Modified-Since``; ``params`` are sent on every read."""

    name: str
    endpoint: str
    paged: bool
    incremental: bool = True
    params: tuple[tuple[str, str], ...] = ()


V10, V11 = "/rest/v1.0", "/rest/v1.1"
COMMITMENT_TYPES = ("work_order_contracts", "purchase_order_contracts")

PROCORE_SPECS: dict[str, ProcoreSpec] = {
    spec.name: spec
    for spec in (
        ProcoreSpec("projects", f"{V10}/projects"),
        # Incremental only where the list publishes filters[updated_at] (projects, vendors): stages, cost
        # types and cost codes publish no such filter (cost codes only filters[origin_id], and no
        # include_deleted), so every run reads them whole: one call each, one per project for cost codes.
        ProcoreSpec("project_stages", f"{V10}/companies/{{company_id}}/project_stages", incremental=False),
        ProcoreSpec("vendors", f"{V10}/vendors"),
        ProcoreSpec("line_item_types", f"{V10}/line_item_types", incremental=False),
        ProcoreSpec("cost_codes", f"{V10}/cost_codes", project_scoped=True, incremental=False),
        # Budgets: Procore publishes no budget line item list; a budget view's detail rows are the budget,
        # one row per budget line with the view's columns. Neither list publishes filters[updated_at]: both
        # are read whole every run (one call per project for the views, one per view for its rows).
        ProcoreSpec("budget_views", f"{V10}/budget_views", project_scoped=True, incremental=False),
        ProcoreSpec(
            "budget_view_detail_rows",
            f"{V10}/{{parent_type}}/{{parent_id}}/detail_rows",
            project_scoped=True,
            incremental=False,
            parents=("budget_views",),
            every_parent=True,
        ),
        *(
            ProcoreSpec(name, f"{V10}/{name}", project_scoped=True, deletions=True)
            for name in COMMITMENT_TYPES
        ),
        # Schedule-of-values lines come from the commitment's show, which embeds them: one call per changed
        # commitment whatever its number of lines (the line list pages at per_page and costs the same or
        # more). Changing a line touches its commitment's updated_at, so changed commitments are enough.
        ProcoreSpec(
            "commitment_line_items",
            f"{V10}/{{parent_type}}/{{parent_id}}",
            project_scoped=True,
            incremental=False,
            parents=COMMITMENT_TYPES,
            embedded="line_items",
        ),
        # The change order list publishes neither paging nor filters[updated_at]: one call per project reads
        # them all, every run.
        ProcoreSpec(
            "commitment_change_orders",
            f"{V10}/projects/{{project_id}}/commitment_change_orders",
            project_scoped=True,
            incremental=False,
            paged=False,
        ),
        ProcoreSpec("requisitions", f"{V11}/requisitions", project_scoped=True),
        ProcoreSpec("contract_payments", f"{V10}/contract_payments", project_scoped=True, deletions=True),
        ProcoreSpec("prime_contracts", f"{V10}/prime_contracts", project_scoped=True),
        ProcoreSpec("payment_applications", f"{V10}/payment_applications", project_scoped=True),
        ProcoreSpec(
            "direct_costs", f"{V11}/projects/{{project_id}}/direct_costs", project_scoped=True, deletions=True
        ),
    )
}

# tax_rates is staged by the schema but not extracted: the Xero emulator serves no TaxRates endpoint.
XERO_SPECS: dict[str, XeroSpec] = {
    spec.name: spec
    for spec in (
        XeroSpec("contacts", "Contacts", paged=True, params=(("includeArchived", "true"),)),
        XeroSpec("items", "Items", paged=False),
        XeroSpec("accounts", "Accounts", paged=False),
        XeroSpec("currencies", "Currencies", paged=False, incremental=False),
        XeroSpec("tracking_categories", "TrackingCategories", paged=False),
        XeroSpec("purchase_orders", "PurchaseOrders", paged=True),
        XeroSpec("invoices", "Invoices", paged=True),
        XeroSpec("payments", "Payments", paged=True),
        XeroSpec("bank_transactions", "BankTransactions", paged=True),
    )
}

COMPANY_SCOPED = tuple(name for name, spec in PROCORE_SPECS.items() if not spec.project_scoped)
PROJECT_SCOPED = tuple(name for name, spec in PROCORE_SPECS.items() if spec.project_scoped)


def asset_uri(system: str, object_type: str) -> str:
    """The Asset a task emits when it has refreshed one staged object type."""
    return f"pxsync://staging/{system}/{object_type}"
