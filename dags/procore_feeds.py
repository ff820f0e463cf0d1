"""
### Procore → staging, event-driven (change feeds)

Runs when Procore's webhook deliveries arrive (the intake stores them; an Asset watcher on the deliveries
table starts this DAG through Airflow's triggerer) and at least hourly for the sweep. Per tenant:

* registers the sync's Procore hook and triggers (idempotent) when `PXSYNC_INTAKE_URL` and
  `PXSYNC_PROCORE_WEBHOOK_TOKEN` are set;
* reads only the (object type, project) pairs the deliveries named;
* spends the sweep's call budget (`settings.feeds.sweep`) on the reads most overdue: types without a
  webhook (subcontractor invoices, change orders), and lost deliveries of the others.

A quiet hour costs at most the budget, whatever the number of projects. One small summary per tenant in
XCom, also the extra of the tenant's one event on `pxsync://extracted/procore`, which starts
`procore_to_xero` once per cycle (as `procore_extract`'s event does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, dag, task

from procore_xero.events.trigger import DeliveriesTrigger
from procore_xero.extract.specs import extracted_uri
from procore_xero.tenants import TENANT_LABEL, tenant_names

DEFAULT_ARGS = {"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=2)}
DELIVERIES = Asset(
    "pxsync://feeds/procore/deliveries",
    watchers=[AssetWatcher(name="procore_deliveries", trigger=DeliveriesTrigger("procore"))],
)


@task(outlets=[Asset(extracted_uri("procore"))], map_index_template=TENANT_LABEL)
def feeds(tenant: str) -> dict:
    from procore_xero.airflow.feeds import procore_feed_cycle

    return procore_feed_cycle(tenant)


@dag(
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 * * * *", timezone="UTC"), assets=DELIVERIES
    ),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["procore", "extract", "staging", "feeds"],
    doc_md=__doc__,
    max_active_runs=1,
)
def procore_feeds() -> None:
    feeds.expand(tenant=tenant_names())


procore_feeds()
