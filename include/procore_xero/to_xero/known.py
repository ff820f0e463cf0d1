"""What a step may reference in Xero: links from earlier runs (``id_map``) plus this run's (XCom)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Engine

from procore_xero.mapping import KnownInXero, MappingSpec, project_options, transform_tracking_options
from procore_xero.mapping.staged import read_staged
from procore_xero.staging import Crosswalk, TenantKey, all_links

RunIds = Mapping[str, Mapping[str, str]]  # source type ("procore/vendors") -> source id -> Xero id


def linked(
    engine: Engine, tenant: TenantKey, source_type: str, target_type: str, run_ids: RunIds
) -> dict[str, str]:
    """Source id -> Xero id for one kind of record: stored links, overridden by this run's."""
    system, _, kind = source_type.partition("/")
    links = all_links(engine, tenant, Crosswalk(system, kind, "xero", target_type))
    return {**links, **run_ids.get(source_type, {})}


def known_in_xero(
    engine: Engine, tenant: TenantKey, spec: MappingSpec, run_ids: RunIds, currencies: Iterable[str]
) -> KnownInXero:
    """The contacts, project options, item codes, POs and currencies a document may point at."""
    options = linked(engine, tenant, "procore/projects", "TrackingOptions", run_ids)
    all_options = project_options(
        transform_tracking_options(read_staged(engine, "projects", tenant.company_id), spec)
    )
    items = linked(engine, tenant, "procore/cost_codes", "Items", run_ids)
    items |= linked(engine, tenant, "pxsync/settings", "Items", run_ids)
    purchase_orders = {
        commitment: po
        for kind in ("work_order_contracts", "purchase_order_contracts")
        for commitment, po in linked(engine, tenant, f"procore/{kind}", "PurchaseOrders", run_ids).items()
    }
    return KnownInXero(
        contacts=linked(engine, tenant, "procore/vendors", "Contacts", run_ids),
        project_options={pid: name for pid, name in all_options.items() if pid in options},
        item_codes=frozenset(items) | _settings_item_codes(spec, items),
        currencies=frozenset(currencies),
        purchase_orders=purchase_orders,
    )


def _settings_item_codes(spec: MappingSpec, linked_items: Mapping[str, str]) -> frozenset[str]:
    """Items the sync makes from settings (the retainage item) are keyed by an internal id: their code."""
    from procore_xero.mapping.items import RETAINAGE_SOURCE_ID

    if RETAINAGE_SOURCE_ID in linked_items:
        return frozenset({spec.settings.retainage.item_code})
    return frozenset()
