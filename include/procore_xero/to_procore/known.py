"""``KnownInProcore`` from the crosswalk: which Xero records the sync made and what they link to."""

from __future__ import annotations

from sqlalchemy import Engine, select

from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.staging import Crosswalk, TenantKey, all_links, transaction
from procore_xero.staging.schema import id_map


def known_in_procore(engine: Engine, tenant: TenantKey, base_currency: str = "USD") -> KnownInProcore:
    options = all_links(engine, tenant, Crosswalk("procore", "projects", "xero", "TrackingOptions"))
    bills = all_links(engine, tenant, Crosswalk("procore", "requisitions", "xero", "Invoices"))
    vendors_to_contacts = all_links(engine, tenant, Crosswalk("procore", "vendors", "xero", "Contacts"))
    contacts_to_vendors = all_links(engine, tenant, Crosswalk("xero", "contacts", "procore", "vendors"))
    return KnownInProcore(
        project_by_option={option.lower(): project for project, option in options.items()},
        requisition_by_bill={bill.lower(): requisition for requisition, bill in bills.items()},
        vendor_by_contact={
            **{contact.lower(): vendor for vendor, contact in vendors_to_contacts.items()},
            **{contact.lower(): vendor for contact, vendor in contacts_to_vendors.items()},
        },
        made_by_sync=frozenset(_xero_ids_written(engine, tenant)),
        base_currency=base_currency,
    )


def _xero_ids_written(engine: Engine, tenant: TenantKey) -> set[str]:
    """Every Xero id the Procore -> Xero sync created or linked: never sent back to Procore as new."""
    with transaction(engine) as connection:
        rows = connection.execute(
            select(id_map.c.target_id).where(
                (id_map.c.company_id == tenant.company_id)
                & (id_map.c.tenant_id == tenant.tenant_id)
                & (id_map.c.target_system == "xero")
            )
        )
        return {row.target_id.lower() for row in rows}
