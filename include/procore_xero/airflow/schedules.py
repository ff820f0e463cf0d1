"""When the extract DAGs run: on a service's webhook deliveries, and at least hourly for the sweep.

Cheap at DAG parse time (Airflow's own classes and the deliveries trigger, no pandas or SQLAlchemy)."""

from __future__ import annotations

from typing import Literal

from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable

from procore_xero.events.trigger import DeliveriesTrigger

HOURLY = "0 * * * *"


def deliveries_or_hourly(service: Literal["procore", "xero"]) -> AssetOrTimeSchedule:
    """A run when the intake has stored ``service``'s deliveries (an Asset watcher on its table, through
    the triggerer), and on the hour whatever arrived."""
    deliveries = Asset(
        f"pxsync://feeds/{service}/deliveries",
        watchers=[AssetWatcher(name=f"{service}_deliveries", trigger=DeliveriesTrigger(service))],
    )
    return AssetOrTimeSchedule(timetable=CronTriggerTimetable(HOURLY, timezone="UTC"), assets=deliveries)
