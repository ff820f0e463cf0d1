"""The objects each sync DAG sends, in dependency order (derived from ``procore_xero.objects``, pure data:
DAG files read it while parsing)."""

from procore_xero.objects import HOURLY_INBOUND_ORDER, NIGHTLY_INBOUND_ORDER, STEP_ORDER

__all__ = ["HOURLY_INBOUND_ORDER", "NIGHTLY_INBOUND_ORDER", "STEP_ORDER"]
