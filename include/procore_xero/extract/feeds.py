"""The ``feeds`` settings: which Procore object types come from webhook deliveries (and the triggers that
carry them), and the sweep's call budget and schedule for everything else; which Xero event categories
name which object types, and how often each Xero type is read on the hourly schedule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS

EVENT_TYPES = ("create", "update", "delete")


@dataclass(frozen=True)
class FeedSettings:
    """``resources``: object type -> (Procore resource name, events); the sweep: ``calls_per_hour`` and
    hours between reads of each object type (``every_hours``, else ``default_every_hours``)."""

    resources: Mapping[str, tuple[str, tuple[str, ...]]]
    calls_per_hour: int
    every_hours: Mapping[str, float]
    default_every_hours: float

    @classmethod
    def from_feeds(cls, feeds: Mapping[str, Any]) -> FeedSettings:
        """From ``settings.feeds``; checked, so a typo says which key is wrong rather than silently polling
        or never reading."""
        resources: dict[str, tuple[str, tuple[str, ...]]] = {}
        for object_type, feed in (feeds.get("procore") or {}).items():
            where = f"settings.feeds.procore.{object_type}"
            if object_type not in PROCORE_SPECS:
                raise ValueError(
                    f"{where}: not an extracted Procore object type ({', '.join(PROCORE_SPECS)})"
                )
            events = tuple(feed.get("events") or ())
            if not isinstance(feed.get("resource"), str) or not events or set(events) - set(EVENT_TYPES):
                raise ValueError(f"{where}: needs a resource name and events among {', '.join(EVENT_TYPES)}")
            resources[object_type] = (feed["resource"], events)
        sweep = feeds.get("sweep") or {}
        budget = sweep.get("calls_per_hour", 0)
        if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
            raise ValueError(
                f"settings.feeds.sweep.calls_per_hour: a whole number of calls ≥ 1, got {budget!r}"
            )
        every, default = _intervals("settings.feeds.sweep", sweep, PROCORE_SPECS, default=168)
        return cls(resources, budget, every, default)

    def triggers(self) -> dict[str, list[str]]:
        """Resource name -> events: what ``ensure_procore_hook`` registers."""
        return {name: list(events) for name, events in self.resources.values()}

    def object_type(self, resource_name: str) -> str | None:
        return next((t for t, (name, _) in self.resources.items() if name == resource_name), None)

    def interval_hours(self, object_type: str) -> float:
        return self.every_hours.get(object_type, self.default_every_hours)


@dataclass(frozen=True)
class XeroFeedSettings:
    """``categories``: Xero webhook ``eventCategory`` -> the object type its events name (Xero publishes
    webhooks for contacts and invoices only); ``every_hours``: hours between scheduled reads of each object
    type (else ``default_every_hours``): the only read of types without a webhook, the lost-delivery check
    of the others."""

    categories: Mapping[str, str]
    every_hours: Mapping[str, float]
    default_every_hours: float

    @classmethod
    def from_feeds(cls, feeds: Mapping[str, Any]) -> XeroFeedSettings:
        """From ``settings.feeds`` (its ``xero`` section)."""
        feeds = feeds.get("xero") or {}
        categories = {str(k): str(v) for k, v in (feeds.get("categories") or {}).items()}
        wrong = sorted(t for t in categories.values() if t not in XERO_SPECS)
        if wrong:
            raise ValueError(
                f"settings.feeds.xero.categories: {wrong} are not extracted Xero object types "
                f"({', '.join(XERO_SPECS)})"
            )
        every, default = _intervals("settings.feeds.xero", feeds, XERO_SPECS, default=1)
        return cls(categories, every, default)

    def interval_hours(self, object_type: str) -> float:
        return self.every_hours.get(object_type, self.default_every_hours)


def _intervals(
    where: str, section: Mapping[str, Any], known: Mapping[str, Any], *, default: float
) -> tuple[dict[str, float], float]:
    """``every_hours`` (object type -> hours, each a known type) and ``default_every_hours``, positive."""
    every = {str(k): float(v) for k, v in (section.get("every_hours") or {}).items()}
    unknown = set(every) - set(known)
    if unknown:
        raise ValueError(f"{where}.every_hours: unknown object types {sorted(unknown)}")
    fallback = float(section.get("default_every_hours", default))
    if fallback <= 0 or any(hours <= 0 for hours in every.values()):
        raise ValueError(f"{where}: every_hours and default_every_hours must be positive")
    return every, fallback
