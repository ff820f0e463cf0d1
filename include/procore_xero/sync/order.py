"""The objects the sync sends, in dependency order (pure data: DAG files read it while parsing)."""

STEP_ORDER = ("tracking_options", "items", "contacts", "purchase_orders", "bills", "sales_invoices")

# Money coming back from Xero: hourly (xero_to_procore) and nightly (job_costs), in dependency order.
HOURLY_INBOUND_ORDER = ("vendors", "payments", "xero_purchase_orders")
NIGHTLY_INBOUND_ORDER = ("direct_costs",)
