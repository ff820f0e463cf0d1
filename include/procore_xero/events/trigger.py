"""The Airflow event trigger behind the feeds' Asset watchers: new rows in ``feed_deliveries``.

Runs in Airflow's triggerer; it needs only the staging database the intake writes to (``STAGING_DB_URL``
or the SQLite default), so it works in ``make airflow`` and in docker-compose without a message broker.
Each poll announces the deliveries no trigger has announced yet in one transaction: one Asset event per
poll that found any, however many deliveries arrived, and none twice after a triggerer restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent


class DeliveriesTrigger(BaseEventTrigger):
    """``source``: procore | xero. Its kwargs hold no secret: the database URL comes from the environment."""

    def __init__(self, source: str, poll_seconds: float = 5.0) -> None:
        super().__init__()
        if source not in ("procore", "xero"):
            raise ValueError(f"source must be procore or xero, got {source!r}")
        self.source, self.poll_seconds = source, poll_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{type(self).__module__}.{type(self).__name__}", {
            "source": self.source,
            "poll_seconds": self.poll_seconds,
        }

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from procore_xero.events.store import announce_new
        from procore_xero.staging import open_staging

        engine = open_staging()
        while True:
            count = await asyncio.to_thread(announce_new, engine, self.source)
            if count:
                yield TriggerEvent({"source": self.source, "deliveries": count})
            await asyncio.sleep(self.poll_seconds)
