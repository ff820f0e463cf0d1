"""
### Xero → staging (on Xero's webhook deliveries, and hourly)

Reads every Xero object the sync needs into the staging database (`STAGING_DB_URL`) for every tenant in
the tenants file (`PXSYNC_TENANTS`; without one, the `xero_default` connection): one task per tenant, which
reads the object types in turn, so one tenant's failure or spent limit stops only its own task.

* **Deliveries**: Xero's signed webhook deliveries (contacts and invoices), verified and stored by the
  intake, start a run through an Asset watcher on the deliveries table (Airflow's triggerer); it reads only
  the records they name (`GET /Contacts|/Invoices?IDs=…`) and marks them consumed once staged. Every run
  reads pending deliveries first; deliveries of an organisation no tenant pairs with are logged and dropped.
* **Schedule**: the hourly run reads the types due (`settings.feeds.xero`): those without a webhook
  (payments, purchase orders, bank transactions, reference lists) hourly, contacts and invoices daily as
  the check for lost deliveries. A manual run (or backfill) reads every type, as below.
* **Incremental**: `If-Modified-Since` = the latest `UpdatedDateUTC` staged (or the data interval's start
  if earlier, so a backfill re-reads its window). The first run, and a run with the `full_refresh` Param,
  reads everything.
* **Replay**: a manual run with the `from` / `to` Params (UTC) re-reads everything modified since `from`
  (Xero's `If-Modified-Since` has no upper bound) in one run; its event re-syncs what it staged.
* **Limits**: each tenant's task runs in its own pool (`xero_<name>`; the cluster policy in
  `procore_xero/airflow/policy.py` routes it from the shared `PXSYNC_XERO_POOL`), and every call takes its
  slot in the tenant's shared rate budget. A spent daily limit stops the tenant's remaining reads with the
  limit and its reset time (UTC); the next run resumes at the page each stopped on.
* **Asset**: each tenant's task emits one event on `pxsync://extracted/xero` when it has finished, its
  extra the tenant's summary (`status` `success` or `partial`, counts). Tax rates are not extracted: the
  sandbox serves no `TaxRates` endpoint.
* **outcome** fails the run (no retry) when a tenant's extract was partial or failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, Param, dag, task

from procore_xero.airflow.replay import replay_params
from procore_xero.events.trigger import DeliveriesTrigger
from procore_xero.extract.specs import extracted_uri
from procore_xero.tenants import TENANT_LABEL, shared_xero_pool, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}
DELIVERIES = Asset(
    "pxsync://feeds/xero/deliveries",
    watchers=[AssetWatcher(name="xero_deliveries", trigger=DeliveriesTrigger("xero"))],
)


@task(pool=shared_xero_pool(), outlets=[Asset(extracted_uri("xero"))], map_index_template=TENANT_LABEL)
def extract(tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.tasks import extract_xero_tenant

    return extract_xero_tenant(tenant)


@task(trigger_rule="all_done")  # fails with AirflowFailException: never retried
def outcome(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    from procore_xero.airflow.feeds import discard_unclaimed_xero
    from procore_xero.airflow.tasks import extract_outcome

    discard_unclaimed_xero(summaries)
    return extract_outcome("xero", summaries)


@dag(
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 * * * *", timezone="UTC"), assets=DELIVERIES
    ),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["xero", "extract", "staging"],
    doc_md=__doc__,
    max_active_runs=1,
    params={
        "full_refresh": Param(False, type="boolean", description="Re-read everything."),
        **replay_params(),
    },
)
def xero_extract() -> None:
    outcome(extract.expand(tenant=tenant_names()))


xero_extract()
