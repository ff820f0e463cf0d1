"""The mapping spec (YAML, per-tenant overrides) and the pandas transforms from Procore staging to the
frames validation and the loader take (``procore_xero.outgoing``)."""

from procore_xero.mapping.bills import transform_bills
from procore_xero.mapping.commitments import all_commitments, po_numbers
from procore_xero.mapping.contacts import transform_contacts
from procore_xero.mapping.items import transform_items
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.purchase_orders import transform_purchase_orders
from procore_xero.mapping.sales_invoices import transform_sales_invoices
from procore_xero.mapping.spec import MappingSpec, load_spec
from procore_xero.mapping.staged import read_staged, records_frame
from procore_xero.mapping.tracking_options import project_options, transform_tracking_options

__all__ = [
    "KnownInXero",
    "MappingSpec",
    "all_commitments",
    "load_spec",
    "po_numbers",
    "project_options",
    "read_staged",
    "records_frame",
    "transform_bills",
    "transform_contacts",
    "transform_items",
    "transform_purchase_orders",
    "transform_sales_invoices",
    "transform_tracking_options",
]
