"""One sync step, either direction: transform -> validate -> decide -> hold -> load -> close.

What differs by direction — how the frame is built from staging, which loader writes it — is a
``Direction`` (``to_xero.ToXero``, ``to_procore.ToProcore``); everything a step keeps goes through the
run's ledger, everything it sends through the run's target writer (``TenantRun``), so the pipeline never
asks whether it is a dry run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from procore_xero.load.report import LoadReport
from procore_xero.staging import decided
from procore_xero.sync.decisions import Verdict, apply_decisions
from procore_xero.tenant_run import TenantRun
from procore_xero.validation import OBJECT_RULES, validate


@dataclass
class StepResult:
    """What one step did; small and secret-free, so it travels by XCom. ``ids``: this run's links."""

    step: str
    rows: int
    passed: int
    held: int
    released: int
    reasons: dict[str, int]
    load: dict[str, Any]
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    not_sent_by_design: int = 0  # records of projects not at the send stage (``sync.scope``)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class Prepared:
    """A step's transform frame; ``by_design``: records left out on purpose (out-of-scope projects), whose
    old exceptions close; ``counted``: records looked at and left alone, added to the load counts."""

    frame: pd.DataFrame
    by_design: pd.DataFrame | None = None
    counted: dict[str, int] = field(default_factory=dict)


class Direction(Protocol):
    """The direction-specific half of a step."""

    def prepare(self, step_name: str, run: TenantRun) -> Prepared: ...

    def load(self, passed: pd.DataFrame, run: TenantRun) -> LoadReport: ...


def sync_step(step_name: str, run: TenantRun, direction: Direction) -> StepResult:
    """Send one object type. Held records go to the exception queue; approved ones whose source is
    unchanged are let through; records that now load close their old exceptions."""
    if not run.spec.enabled(step_name):
        return switched_off(step_name, run.mode.dry_run)
    prepared = direction.prepare(step_name, run)
    if prepared.by_design is not None and len(prepared.by_design):
        run.ledger.close_out_of_scope(prepared.by_design)
    verdict = check(prepared.frame, step_name, run)
    report = direction.load(verdict.outcome.passed, run)
    result = finish_step(step_name, prepared.frame, verdict, report, run)
    result.not_sent_by_design = 0 if prepared.by_design is None else len(prepared.by_design)
    result.load.update(prepared.counted)
    return result


def switched_off(step_name: str, dry_run: bool) -> StepResult:
    """A step whose object the settings switch off (``objects.<name>.enabled: false``): nothing read or
    written, and the result says so."""
    return StepResult(step_name, 0, 0, 0, 0, {}, {**LoadReport(dry_run=dry_run).to_dict(), "disabled": True})


def check(frame: pd.DataFrame, step_name: str, run: TenantRun) -> Verdict:
    """Validate, apply the controller's decisions, hold what fails (the run's ledger)."""
    outcome = validate(frame, step_name, run.spec.settings)
    decisions = {
        key: queued
        for source_type in set(frame["source_type"])
        for key, queued in decided(run.engine, run.key, *source_type.split("/", 1)).items()
    }
    verdict = apply_decisions(outcome, decisions)
    run.ledger.hold(verdict.outcome)
    return verdict


def finish_step(
    step_name: str, frame: pd.DataFrame, verdict: Verdict, report: LoadReport, run: TenantRun
) -> StepResult:
    """Close the problems of records that now loaded and sum the step up for XCom."""
    reasons = [rule.reason for rule in OBJECT_RULES[step_name].rules if not rule.note]
    for source_type, links in report.ids.items():
        system, _, object_type = source_type.partition("/")
        run.ledger.resolve_passed(system, object_type, links, reasons)
    summary = verdict.outcome.summary()
    return StepResult(
        step=step_name,
        rows=len(frame),
        passed=summary["passed"],
        held=summary["held"],
        released=len(verdict.released),
        reasons=summary["reasons"],
        load={k: v for k, v in report.to_dict().items() if k != "ids"},
        ids=report.ids,
    )
