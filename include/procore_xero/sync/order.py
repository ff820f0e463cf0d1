"""The objects the sync sends, in dependency order (pure data: DAG files read it while parsing)."""

STEP_ORDER = ("tracking_options", "items", "contacts", "purchase_orders", "bills", "sales_invoices")
