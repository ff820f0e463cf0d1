"""The Asset watcher's trigger: one event for the deliveries stored since the last one, none twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from procore_xero.events.store import Delivery, store_delivery
from procore_xero.events.trigger import DeliveriesTrigger
from procore_xero.staging import open_staging


def delivery(key: str) -> Delivery:
    return Delivery("procore", key, "1", 7, "Direct Costs", "42", "update", None, {"ulid": key})


async def next_event(trigger: DeliveriesTrigger, timeout: float) -> dict | None:
    runs = trigger.run()
    try:
        event = await asyncio.wait_for(anext(runs), timeout)
    except TimeoutError:
        return None
    finally:
        await runs.aclose()
    return event.payload


def test_new_deliveries_fire_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    monkeypatch.setenv("STAGING_DB_URL", url)
    engine = open_staging(url)
    assert store_delivery(engine, delivery("A" * 26)) and store_delivery(engine, delivery("B" * 26))
    assert not store_delivery(engine, delivery("A" * 26))  # the same event delivered again
    trigger = DeliveriesTrigger("procore", poll_seconds=0.05)
    assert asyncio.run(next_event(trigger, 5)) == {"source": "procore", "deliveries": 2}
    assert asyncio.run(next_event(trigger, 0.3)) is None  # nothing new: no second Asset event
    store_delivery(engine, delivery("C" * 26))
    assert asyncio.run(next_event(trigger, 5)) == {"source": "procore", "deliveries": 1}
    assert DeliveriesTrigger("procore").serialize() == (
        "procore_xero.events.trigger.DeliveriesTrigger",
        {"source": "procore", "poll_seconds": 5.0},
    )


def test_an_unknown_source_is_refused() -> None:
    with pytest.raises(ValueError, match="source must be procore or xero, got 'sage'"):
        DeliveriesTrigger("sage")
