"""The ``feeds`` settings: which Procore object types come from webhook deliveries (and the triggers that
carry them), and the sweep's call budget and schedule for everything else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procore_xero.extract.specs import PROCORE_SPECS

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
    def from_settings(cls, settings: Mapping[str, Any]) -> FeedSettings:
        """Checked, so a typo says which key is wrong rather than silently polling or never reading."""
        feeds = settings.get("feeds") or {}
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
        every = {str(k): float(v) for k, v in (sweep.get("every_hours") or {}).items()}
        unknown = set(every) - set(PROCORE_SPECS)
        if unknown:
            raise ValueError(f"settings.feeds.sweep.every_hours: unknown object types {sorted(unknown)}")
        default = float(sweep.get("default_every_hours", 168))
        if default <= 0 or any(hours <= 0 for hours in every.values()):
            raise ValueError("settings.feeds.sweep: every_hours and default_every_hours must be positive")
        return cls(resources, budget, every, default)

    def triggers(self) -> dict[str, list[str]]:
        """Resource name -> events: what ``ensure_procore_hook`` registers."""
        return {name: list(events) for name, events in self.resources.values()}

    def object_type(self, resource_name: str) -> str | None:
        return next((t for t, (name, _) in self.resources.items() if name == resource_name), None)

    def interval_hours(self, object_type: str) -> float:
        return self.every_hours.get(object_type, self.default_every_hours)
