"""One declarative spec per extracted object type: the API path, its scope, and which filters it honours.
The staged object types (``staging.objects``) follow from these.

Pure data with no heavy imports, so DAG files can build one task per spec at parse time. Checked against
the emulator's routes (docs/sandbox-procore.md, docs/sandbox-xero.md) and Procore's / Xero's docs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcoreSpec:
    """``path`` may hold ``{company_id}``, ``{project_id}`` and (nested specs) ``{parent_id}``.

    ``incremental``: the list honours ``filters[updated_at]`` (read only what changed since the watermark).
    ``deletions``: soft-deleted records are listed with ``filters[include_deleted]=with``. ``params`` are
    sent on every read (e.g. a ``view``). ``parents``: a nested read once per parent record; parents are the
    staged records of those types changed in the window (all on a full read), or always all of them when
    ``every_parent`` (the nested rows change without their parent changing). ``embedded``: the nested path
    is the parent's show and the rows are this key of it. ``paged``: False for a list Procore publishes
    without paging (one call answers every record).
    ``parent_param``: the parent's id goes in that query parameter, not the path (payments issued are
    listed with ``contract_id``); ``billed_parents``: only parents named by staged subcontractor invoices
    changed in the window (all of them on a full read).
    ``detail_path``: the list lacks what only the show publishes (owner invoices' G703 lines): each
    listed record that differs from its staged copy is read again there, ``{id}`` filled.
    """

    name: str
    path: str
    project_scoped: bool = False
    incremental: bool = True
    deletions: bool = False
    parents: tuple[str, ...] = ()
    every_parent: bool = False
    params: tuple[tuple[str, str], ...] = ()
    parent_param: str | None = None
    billed_parents: bool = False
    detail_path: str | None = None
    embedded: str | None = None
    paged: bool = True

    @property
    def nested(self) -> bool:
        return bool(self.parents)


@dataclass(frozen=True)
class XeroSpec:
    """``endpoint`` under ``/api.xro/2.0``; ``key_field`` holds a record's identity; ``paged`` lists take
    ``page``/``pageSize``; ``incremental`` ones honour ``If-Modified-Since``; ``params`` are sent on every
    read."""

    name: str
    endpoint: str
    key_field: str
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
        # The period's figures are on the items, which v1.1 returns only when the view asks for them.
        ProcoreSpec(
            "requisitions", f"{V11}/requisitions", project_scoped=True, params=(("view", "extended"),)
        ),
        # Payments issued are listed per commitment (``contract_id`` is required) with no filter at all: a
        # run reads the payments of the commitments whose subcontractor invoices changed in its window
        # (every billed commitment on a full read). The sync itself never reads them back from staging.
        ProcoreSpec(
            "contract_payments",
            f"{V10}/contract_payments",
            project_scoped=True,
            incremental=False,
            parents=COMMITMENT_TYPES,
            parent_param="contract_id",
            billed_parents=True,
        ),
        ProcoreSpec("prime_contracts", f"{V10}/prime_contracts", project_scoped=True),
        # Their lines carry the cost type an owner invoice's G703 line lacks (by the line's origin_id).
        ProcoreSpec(
            "prime_contract_line_items",
            f"{V10}/{{parent_type}}/{{parent_id}}/line_items",
            project_scoped=True,
            incremental=False,
            parents=("prime_contracts",),
        ),
        # No filter is published: the list is read whole (its G702 summaries); G703 lines are on the show,
        # read only for owner invoices that are new or changed since they were staged.
        ProcoreSpec(
            "payment_applications",
            f"{V10}/payment_applications",
            project_scoped=True,
            incremental=False,
            detail_path=f"{V10}/payment_applications/{{id}}",
        ),
        # filters[updated_at] is published; filters[include_deleted] is not (a deletion is not seen).
        ProcoreSpec("direct_costs", f"{V10}/projects/{{project_id}}/direct_costs", project_scoped=True),
    )
}

# The staged Xero types (``staging.objects``) are these, and tax_rates, staged by the schema but not
# extracted: the Xero emulator serves no TaxRates endpoint.
XERO_SPECS: dict[str, XeroSpec] = {
    spec.name: spec
    for spec in (
        XeroSpec("contacts", "Contacts", "ContactID", paged=True, params=(("includeArchived", "true"),)),
        # unitdp=4: unit amounts as Xero holds them (a person may key 4 decimals; the default shows 2)
        XeroSpec("items", "Items", "ItemID", paged=False, params=(("unitdp", "4"),)),
        XeroSpec("accounts", "Accounts", "AccountID", paged=False),
        XeroSpec("currencies", "Currencies", "Code", paged=False, incremental=False),
        # Xero publishes no If-Modified-Since on TrackingCategories: one small list, re-read whole each run
        XeroSpec(
            "tracking_categories",
            "TrackingCategories",
            "TrackingCategoryID",
            paged=False,
            incremental=False,
            params=(("includeArchived", "true"),),
        ),
        XeroSpec("purchase_orders", "PurchaseOrders", "PurchaseOrderID", paged=True),
        XeroSpec("invoices", "Invoices", "InvoiceID", paged=True, params=(("unitdp", "4"),)),
        XeroSpec("payments", "Payments", "PaymentID", paged=True),
        XeroSpec(
            "bank_transactions",
            "BankTransactions",
            "BankTransactionID",
            paged=True,
            params=(("unitdp", "4"),),
        ),
    )
}

COMPANY_SCOPED = tuple(name for name, spec in PROCORE_SPECS.items() if not spec.project_scoped)
PROJECT_SCOPED = tuple(name for name, spec in PROCORE_SPECS.items() if spec.project_scoped)


def extracted_uri(system: str) -> str:
    """The Asset a tenant's extract task emits once per run when it has read everything it could (the
    event's extra: tenant, ``success`` or ``partial``, counts): what the sync DAGs schedule on."""
    return f"pxsync://extracted/{system}"
