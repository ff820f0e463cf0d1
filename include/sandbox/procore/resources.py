"""The Procore resources the emulator serves: their real paths, scope, writes and list filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.procore.billing import sov_lines
from sandbox.procore.budget import budget_line_item
from sandbox.procore.builders import (
    Builder,
    build_budget_line_item,
    build_contract_payment,
    build_cost_code,
    build_direct_cost,
    build_direct_cost_v10,
    build_line_item_type,
    build_prime_contract,
    build_project,
    build_project_stage,
    build_vendor,
    commitment_builder,
)
from sandbox.procore.filters import GENERIC_FILTERS, FieldKey
from sandbox.procore.store import Store
from sandbox.procore.views import (
    View,
    direct_cost_list_view,
    direct_cost_show_v10,
    direct_cost_show_v11,
    payment_application_list_view,
    payment_application_show_view,
    payment_view,
    prime_contract_list_view,
    prime_contract_show_view,
)

V10, V11 = "/rest/v1.0", "/rest/v1.1"
ID = "{record_id:int}"
NO_DELETED_FILTER = GENERIC_FILTERS - {"include_deleted"}  # projects and vendors publish no include_deleted


Presenter = Callable[[Store, dict[str, Any]], dict[str, Any]]


def from_record(view: View) -> Presenter:
    """A show model that needs nothing but the stored record, as a ``Resource.show_view``."""
    return lambda _store, record: view(record)


@dataclass(frozen=True)
class Resource:
    """One resource type. ``scope`` says whether a call needs only the company or also a ``project_id``."""

    collection: str
    label: str  # how messages name one record
    wrapper: str  # the key a create / update body nests the attributes under
    scope: Literal["company", "project"]
    list_paths: tuple[str, ...]
    item_path: str | None = None  # show, update, delete
    create_path: str | None = None
    sync_path: str | None = None
    deletable: bool = False
    build: Builder | None = None  # None: read-only
    filters: Mapping[str, FieldKey] = field(default_factory=dict)
    # Query parameters list, show and delete require (400 without), each selecting the records it names.
    keyed_by: Mapping[str, FieldKey] = field(default_factory=dict)
    list_view: View | None = None  # the published list model (None: the record as stored)
    # The published show / write answer: one record, completed from the store where the show computes
    # figures or embeds lines, in the published show model (None: the record as stored).
    show_view: Presenter | None = None
    paged: bool = True  # False: the list answers every record at once, without paging headers
    amounts: Literal["string", "number"] = "string"  # how its published model types amounts (money.py)
    # Which of the filters every list could take (updated_at, created_at, id, origin_id, include_deleted)
    # this one's list publishes; the others are ignored, as Procore ignores unknown parameters.
    generic_filters: frozenset[str] = GENERIC_FILTERS
    list_requires: tuple[str, ...] = ()  # query parameters of which a list needs one (a 400 otherwise)
    show_requires: tuple[str, ...] = ()  # same for a show
    body_requires: tuple[str, ...] = ()  # top-level body keys a create and a sync need
    timestamps: bool = True  # created_at / updated_at (the published model of line item types has none)


def _status(r: dict) -> object:
    return r.get("status")


COMMITMENT_FILTERS: Mapping[str, FieldKey] = {"status": _status}


def _with_line_items(store: Store, commitment: dict[str, Any]) -> dict[str, Any]:
    """A commitment show embeds its schedule of values; its list does not."""
    return {**commitment, "line_items": sov_lines(store, commitment["id"])}


def budget_line_item_v11(store: Store, item: dict[str, Any]) -> dict[str, Any]:
    """v1.1 answers a budget line item by its WBS code, without the cost columns."""
    fields = ("id", "original_budget_amount", "uom", "quantity", "unit_cost", "calculation_strategy")
    code, kind = item["cost_code"], item["line_item_type"]
    return {
        **{name: item.get(name) for name in fields},
        "wbs_code": {
            "id": None,
            "flat_code": f"{code['full_code']}.{kind['name']}",
            "description": f"{code['name']}.{kind['name']}",
        },
        "currency_configuration": item.get("currency_configuration"),
    }


def _commitments(collection: str, wrapper: str, label: str, prefix: str) -> Resource:
    return Resource(
        collection,
        label,
        wrapper,
        "project",
        (f"{V10}/{collection}",),
        item_path=f"{V10}/{collection}/{ID}",
        create_path=f"{V10}/{collection}",
        sync_path=f"{V10}/{collection}/sync",
        deletable=True,
        build=commitment_builder(collection, prefix),
        filters=COMMITMENT_FILTERS,
        show_view=_with_line_items,
    )


DIRECT_COST_DATES: Mapping[str, FieldKey] = {
    "payment_date": lambda r: r.get("payment_date"),
    "received_date": lambda r: r.get("received_date"),
}
DIRECT_COST_FILTERS = frozenset({"id", "origin_id", "created_at", "updated_at"})  # + invoice number, dates

RESOURCES: tuple[Resource, ...] = (
    Resource("companies", "company", "company", "company", (f"{V10}/companies",)),
    Resource(
        "project_stages",
        "project stage",
        "project_stage",
        "company",
        (f"{V10}/companies/{{company_id:int}}/project_stages",),
        item_path=f"{V10}/companies/{{company_id:int}}/project_stages/{ID}",
        create_path=f"{V10}/companies/{{company_id:int}}/project_stages",
        build=build_project_stage,
    ),
    Resource(
        "projects",
        "project",
        "project",
        "company",
        (f"{V10}/projects",),
        item_path=f"{V10}/projects/{ID}",
        create_path=f"{V10}/projects",
        sync_path=f"{V10}/projects/sync",
        build=build_project,
        generic_filters=NO_DELETED_FILTER,
        list_requires=("company_id",),
        show_requires=("company_id",),
    ),
    Resource(  # the v1.1 list only (no v1.1 show is published); it adds the stage and number filters
        "projects",
        "project",
        "project",
        "company",
        (f"{V11}/projects",),
        filters={
            "by_stage": lambda r: (r.get("project_stage") or {}).get("id"),
            "project_number": lambda r: r.get("project_number"),
        },
        generic_filters=NO_DELETED_FILTER,
        list_requires=("company_id",),
    ),
    Resource(
        "vendors",
        "vendor",
        "vendor",
        "company",
        (f"{V10}/vendors",),
        item_path=f"{V10}/vendors/{ID}",
        create_path=f"{V10}/vendors",
        sync_path=f"{V10}/vendors/sync",
        build=build_vendor,
        filters={"search": lambda r: r.get("name")},
        generic_filters=NO_DELETED_FILTER,
        list_requires=("company_id",),
        show_requires=("company_id",),
        body_requires=("company_id",),
    ),
    Resource(
        "line_item_types",
        "line item type",
        "line_item_type",
        "company",
        (f"{V10}/line_item_types",),
        item_path=f"{V10}/line_item_types/{ID}",
        create_path=f"{V10}/line_item_types",
        sync_path=f"{V10}/line_item_types/sync",
        build=build_line_item_type,
        generic_filters=frozenset({"origin_id"}),
        list_requires=("company_id", "project_id"),
        show_requires=("company_id",),
        timestamps=False,
    ),
    Resource(
        "cost_codes",
        "cost code",
        "cost_code",
        "project",
        (f"{V10}/cost_codes",),
        item_path=f"{V10}/cost_codes/{ID}",
        create_path=f"{V10}/cost_codes",
        sync_path=f"{V10}/cost_codes/sync",
        build=build_cost_code,
        generic_filters=frozenset({"origin_id"}),
    ),
    # No list and no delete are published: budget rows are read through a budget view's detail rows.
    # v1.1 keys budget lines by WBS code, which the emulator does not model: it serves the v1.1 show only.
    Resource(
        "budget_line_items",
        "budget line item",
        "budget_line_item",
        "project",
        (),
        item_path=f"{V10}/budget_line_items/{ID}",
        create_path=f"{V10}/budget_line_items",
        build=build_budget_line_item,
        show_view=budget_line_item,
        amounts="number",
    ),
    Resource(
        "budget_line_items",
        "budget line item",
        "budget_line_item",
        "project",
        (),
        item_path=f"{V11}/budget_line_items/{ID}",
        show_view=budget_line_item_v11,
        amounts="number",
    ),
    Resource("budget_views", "budget view", "budget_view", "project", (f"{V10}/budget_views",)),
    _commitments("work_order_contracts", "work_order_contract", "work order contract", "SC"),
    _commitments("purchase_order_contracts", "purchase_order_contract", "purchase order contract", "PO"),
    Resource(
        "commitment_change_orders",
        "commitment change order",
        "commitment_change_order",
        "project",
        (f"{V10}/projects/{{project_id:int}}/commitment_change_orders",),
        item_path=f"{V10}/projects/{{project_id:int}}/commitment_change_orders/{ID}",
        filters={
            "batch_id": lambda r: r.get("batch_id"),
            "legacy_package_id": lambda r: r.get("legacy_package_id"),
            "contract_id": lambda r: r.get("contract_id"),
        },
        paged=False,
    ),
    Resource(
        "contract_payments",
        "contract payment",
        "contract_payment",
        "project",
        (f"{V10}/contract_payments",),
        item_path=f"{V10}/contract_payments/{ID}",
        create_path=f"{V10}/contract_payments",
        deletable=True,
        build=build_contract_payment,
        generic_filters=frozenset(),
        keyed_by={"contract_id": lambda r: r["contract_id"]},
        list_view=payment_view,
        show_view=from_record(payment_view),
    ),
    Resource(
        "prime_contracts",
        "prime contract",
        "prime_contract",
        "project",
        (f"{V10}/prime_contracts",),
        item_path=f"{V10}/prime_contract/{ID}",
        create_path=f"{V10}/prime_contract",
        deletable=True,
        build=build_prime_contract,
        generic_filters=frozenset({"id", "updated_at"}),
        list_view=prime_contract_list_view,
        show_view=from_record(prime_contract_show_view),
    ),
    Resource(
        "payment_applications",
        "payment application",
        "payment_application",
        "project",
        (f"{V10}/payment_applications",),
        item_path=f"{V10}/payment_applications/{ID}",
        deletable=True,
        generic_filters=frozenset(),
        list_view=payment_application_list_view,
        show_view=from_record(payment_application_show_view),
    ),
    *(
        Resource(
            "direct_costs",
            "direct cost",
            wrapper,
            "project",
            (f"{version}/projects/{{project_id:int}}/direct_costs",),
            item_path=f"{version}/projects/{{project_id:int}}/direct_costs/{ID}",
            create_path=f"{version}/projects/{{project_id:int}}/direct_costs",
            sync_path=sync_path,
            deletable=True,
            build=builder,
            filters={"invoice_number": lambda r: r.get("invoice_number"), **DIRECT_COST_DATES},
            generic_filters=DIRECT_COST_FILTERS,
            list_view=direct_cost_list_view,
            show_view=from_record(show_view),
        )
        for version, wrapper, sync_path, show_view, builder in (
            (
                V10,
                "item",
                f"{V10}/projects/{{project_id:int}}/direct_costs/sync",
                direct_cost_show_v10,
                build_direct_cost_v10,
            ),
            (V11, "direct_cost", None, direct_cost_show_v11, build_direct_cost),
        )
    ),
)
