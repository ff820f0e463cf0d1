"""The sweep's planner and the feeds settings: the call budget holds at any project count, the most
overdue reads go first, a wrong setting names its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from procore_xero.extract.feeds import FeedSettings
from procore_xero.extract.specs import PROJECT_SCOPED
from procore_xero.extract.sweep import all_slots, plan_sweep
from procore_xero.mapping.spec import load_spec
from tools.bench_feeds import simulated_quiet_hour

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def feeds() -> FeedSettings:
    return FeedSettings.from_feeds(load_spec().settings.feeds)


@pytest.mark.parametrize(("projects", "calls"), [(25, 25), (250, 40), (1000, 40)])
def test_a_quiet_hour_stays_inside_the_budget(projects: int, calls: int) -> None:
    assert simulated_quiet_hour(projects) == calls


def test_requisitions_are_the_only_hourly_read_and_never_read_slots_come_first() -> None:
    slots = all_slots([1, 2, 3])
    an_hour_ago = dict.fromkeys(slots, NOW - timedelta(hours=1))
    assert plan_sweep(slots, an_hour_ago, feeds(), NOW) == [
        ("requisitions", 1),
        ("requisitions", 2),
        ("requisitions", 3),
    ]
    new_project = {slot: read for slot, read in an_hour_ago.items() if slot[1] != 3}
    plan = plan_sweep(slots, new_project, feeds(), NOW)
    assert plan[: len(PROJECT_SCOPED)] == [(name, 3) for name in PROJECT_SCOPED]


def test_triggers_follow_the_settings() -> None:
    triggers = feeds().triggers()
    assert triggers["Projects"] == ["create", "update"]
    assert "Requisitions" not in triggers and len(triggers) == 11
    assert feeds().object_type("Budget Line Items") == "budget_view_detail_rows"


@pytest.mark.parametrize(
    ("feeds_setting", "message"),
    [
        (
            {"procore": {"invoices": {"resource": "X", "events": ["update"]}}},
            "settings.feeds.procore.invoices",
        ),
        ({"procore": {"projects": {"resource": "Projects", "events": ["touch"]}}}, "events among"),
        ({"sweep": {"calls_per_hour": 0}}, "calls_per_hour"),
        ({"sweep": {"calls_per_hour": 5, "every_hours": {"bills": 1}}}, "unknown object types ['bills']"),
    ],
)
def test_a_wrong_setting_names_its_key(feeds_setting: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        FeedSettings.from_feeds({"sweep": {"calls_per_hour": 5}, **feeds_setting})
