"""
### Xero → Procore (once per complete Xero extract)

Money the controller moves in Xero shows up in Procore within the hour, so project managers see real
spend against budget without waiting for accounting.

* **vendors**: Xero contacts used on documents entered in Xero that reach Procore (a line tracked to a
  synced project) and that Procore lacks. Matched to a Procore vendor by name (case, punctuation and
  "LLC" / "Pty Ltd" style suffixes ignored); created when none matches; two or more matches wait in the
  exception queue (`ambiguous_vendor_match`) — never a guess.
* **payments**: every Xero payment on a bill the sync created from a Procore subcontractor invoice becomes a
  Procore payment issued on that commitment (amount, date paid, invoice #, reference as notes); partial
  payments each become one; a payment deleted in Xero is deleted in Procore. Payments on other bills are
  counted (`ignored_payments`) and left alone.
* **xero_purchase_orders** (off by default: `objects.xero_purchase_orders.enabled` in the settings): a PO
  raised in Xero, its lines tracked to one synced project, becomes a Procore purchase order contract with
  one schedule-of-values line per Xero line (budget code from the item, or `cost_code_lookup` by account);
  unmapped lines are exceptions; a PO above the remaining budget on its codes waits for the controller
  (*Required Actions*, e-mail to `controller_emails`) and is posted only when approved; the wait never
  holds the next run (as in `procore_to_xero`). POs the sync
  created from Procore commitments are never taken back.

Every write goes through Procore's sync actions (≤ 1,000 records per call) with `origin_id` = the Xero id,
so a retry or a rerun updates instead of duplicating (payments issued, which have no sync action, are
one POST each and found again by `origin_id` when an answer is lost); a record another integration owns
(422) is an exception. Nothing the sync wrote into Xero comes back as new, and nothing it made in Procore
goes back.

* **Params**: `dry_run` (write nothing, report what would happen), `full_refresh` (re-send unchanged records).
* **XCom**: each task returns its counts; `vendors` also the contacts it linked (Xero id → Procore id).
* **Tenants**: the steps are a task group mapped over the tenants file's pairs (`PXSYNC_TENANTS`); one
  tenant's failure stops only its own steps.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, Param, dag, task, task_group

from procore_xero.airflow.approval import controller_approval
from procore_xero.extract.specs import extracted_uri
from procore_xero.sync.order import HOURLY_INBOUND_ORDER
from procore_xero.tenants import TENANT_LABEL, sync_runs_at_once, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}
TRIGGERING_ASSET = Asset(extracted_uri("xero"))  # once per tenant per complete extract


@task(map_index_template=TENANT_LABEL)
def sync(step_name: str, earlier: list[dict[str, Any]], tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import sync_step_task

    return sync_step_task(step_name, earlier, tenant)


@task(map_index_template=TENANT_LABEL)
def held_for_approval(tenant: str) -> list[dict[str, Any]]:
    from procore_xero.airflow.sync_tasks import held_for_approval as listing

    return listing(tenant, "xero")


@task(map_index_template=TENANT_LABEL)
def apply_approvals(response: dict[str, Any], tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.sync_tasks import apply_approvals as apply

    return apply(response, tenant)


@task_group(group_id="tenant")
def per_tenant(tenant: str) -> None:
    results: list[Any] = []
    for name in HOURLY_INBOUND_ORDER:
        results.append(sync.override(task_id=name)(name, list(results), tenant=tenant))
    listing = held_for_approval(tenant=tenant)
    results[-1] >> listing
    approval = controller_approval("Xero → Procore: purchase orders waiting for the controller", listing)
    apply_approvals(approval.output, tenant=tenant)


@dag(
    schedule=TRIGGERING_ASSET,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["xero", "procore", "sync"],
    doc_md=__doc__,
    max_active_runs=sync_runs_at_once(),
    params={
        "dry_run": Param(False, type="boolean", description="Write nothing; report what would happen."),
        "full_refresh": Param(False, type="boolean", description="Re-send records even when unchanged."),
    },
)
def xero_to_procore() -> None:
    per_tenant.expand(tenant=tenant_names())


xero_to_procore()
