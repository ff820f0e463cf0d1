"""The controller's decisions applied to a validation outcome.

An approved exception lets its record through while the record is unchanged since the decision (same
failing values) and the reason is one a person may overrule for that object (``SyncObject.approvable``);
a rejected one keeps the record out, silently, until its source changes. Anything else is (re)queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from procore_xero.objects import BY_NAME
from procore_xero.staging import ExceptionStatus, QueuedException
from procore_xero.staging.jsoncodec import dumps, loads
from procore_xero.validation import Failure, ValidationOutcome

Decisions = Mapping[tuple[str, str], QueuedException]


@dataclass(frozen=True)
class Verdict:
    """``outcome``: what to load (approved rows moved to ``passed``) and what to queue (``failures``)."""

    outcome: ValidationOutcome
    released: tuple[str, ...]  # source ids let through by an approval


def apply_decisions(outcome: ValidationOutcome, decisions: Decisions) -> Verdict:
    approvable = BY_NAME[outcome.object_type].approvable
    to_queue: list[Failure] = []
    cleared: dict[str, bool] = {}
    for failure in outcome.failures:
        decision = decisions.get((failure.source_id, failure.reason_code))
        unchanged = decision is not None and _same(decision.details, failure.details())
        status = decision.status if decision is not None and unchanged else None
        if status == ExceptionStatus.REJECTED:
            cleared[failure.source_id] = False
            continue
        if status == ExceptionStatus.APPROVED and failure.reason_code in approvable:
            cleared.setdefault(failure.source_id, True)
            continue
        to_queue.append(failure)
        if not failure.note:
            cleared[failure.source_id] = False
    released = [sid for sid, ok in cleared.items() if ok and sid in set(outcome.held["source_id"])]
    moving = outcome.held["source_id"].isin(released)
    verdict = replace(
        outcome,
        passed=pd.concat([outcome.passed, outcome.held[moving]], ignore_index=True),
        held=outcome.held[~moving].reset_index(drop=True),
        failures=tuple(to_queue),
    )
    return Verdict(verdict, tuple(released))


def _same(stored: object, current: object) -> bool:
    """Equal failing values, compared through the exact JSON codec (Decimal and int alike)."""
    return dumps(loads(dumps(stored))) == dumps(loads(dumps(current)))
