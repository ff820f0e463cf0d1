"""One step of the Procore -> Xero sync: staged records -> transform -> validate -> queue -> load."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from procore_xero.clients import XeroClient
from procore_xero.load import load_to_xero
from procore_xero.load.report import LoadReport
from procore_xero.mapping import KnownInXero, MappingSpec
from procore_xero.mapping.staged import read_staged
from procore_xero.outgoing import to_outgoing
from procore_xero.staging import TenantKey, decided, resolve_passed
from procore_xero.staging.id_map import came_from
from procore_xero.sync.decisions import Verdict, apply_decisions
from procore_xero.sync.scope import close_by_design, out_of_scope_projects, split_out_of_scope
from procore_xero.sync.steps import STEPS
from procore_xero.validation import OBJECT_RULES, hold_failures, save_results, validate


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


def staged_inputs(
    engine: Engine, names: tuple[str, ...], company_id: int, project_id: str | None
) -> dict[str, pd.DataFrame]:
    """The step's staged frames; with ``project_id`` only that project's records of project-scoped types."""
    frames = {name: read_staged(engine, name, company_id) for name in names}
    if project_id is None:
        return frames
    return {
        name: frame[frame["project_id"].astype(str) == project_id] if "project_id" in frame else frame
        for name, frame in frames.items()
    }


def sync_step(
    step_name: str,
    *,
    client: XeroClient,
    engine: Engine,
    tenant: TenantKey,
    spec: MappingSpec,
    known: KnownInXero,
    run_id: str,
    dry_run: bool = False,
    project_id: str | None = None,
    full_refresh: bool = False,
) -> StepResult:
    """Send one object type. Held records go to the exception queue (not in a dry run); approved ones
    whose source is unchanged are let through; records that now load close their old exceptions.
    ``project_id`` narrows project documents to one project; ``full_refresh`` re-sends unchanged records."""
    if not spec.enabled(step_name):
        return switched_off(step_name, dry_run)
    step = STEPS[step_name]
    scope = project_id if step.documents else None
    frame = step.transform(staged_inputs(engine, step.staged, tenant.company_id, scope), known, spec)
    frame = without_records_from_xero(engine, tenant, frame)
    out = out_of_scope_projects(
        read_staged(engine, "projects", tenant.company_id), spec.settings["send_to_xero_stage"]
    )
    frame, by_design = split_out_of_scope(frame, out)
    if len(by_design) and not dry_run:
        close_by_design(engine, tenant, by_design, run_id)
    verdict = check(frame, step.name, engine=engine, tenant=tenant, spec=spec, run_id=run_id, dry_run=dry_run)
    report = load_to_xero(
        client,
        engine,
        tenant,
        to_outgoing(verdict.outcome.passed),
        run_id=run_id,
        dry_run=dry_run,
        tracking_category=spec.settings["tracking_category"],
        resend=full_refresh,
        resend_voided=bool(spec.settings.get("resend_voided_in_xero", False)),
    )
    result = finish_step(step.name, frame, verdict, report, engine=engine, tenant=tenant, run_id=run_id)
    result.not_sent_by_design = len(by_design)
    return result


def switched_off(step_name: str, dry_run: bool) -> StepResult:
    """A step whose object the settings switch off (``objects.<name>.enabled: false``): nothing read or
    written, and the result says so."""
    return StepResult(step_name, 0, 0, 0, 0, {}, {**LoadReport(dry_run=dry_run).to_dict(), "disabled": True})


def check(
    frame: pd.DataFrame,
    step_name: str,
    *,
    engine: Engine,
    tenant: TenantKey,
    spec: MappingSpec,
    run_id: str,
    dry_run: bool,
) -> Verdict:
    """Validate, apply the controller's decisions, queue what is held (not in a dry run)."""
    outcome = validate(frame, step_name, spec.settings)
    decisions = {
        key: queued
        for source_type in set(frame["source_type"])
        for key, queued in decided(engine, tenant, *source_type.split("/", 1)).items()
    }
    verdict = apply_decisions(outcome, decisions)
    if not dry_run:
        hold_failures(engine, tenant, verdict.outcome, run_id)
        save_results(verdict.outcome, run_id)
    return verdict


def finish_step(
    step_name: str,
    frame: pd.DataFrame,
    verdict: Verdict,
    report: LoadReport,
    *,
    engine: Engine,
    tenant: TenantKey,
    run_id: str,
) -> StepResult:
    """Close the problems of records that now loaded and sum the step up for XCom."""
    if not report.dry_run:
        _close_resolved(engine, tenant, step_name, report.ids, run_id)
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


def without_records_from_xero(engine: Engine, tenant: TenantKey, frame: pd.DataFrame) -> pd.DataFrame:
    """No loops: Procore records the sync created from Xero (a vendor for a Xero contact, a commitment
    for a Xero PO) never go back to Xero as new ones."""
    keep = pd.Series(True, index=frame.index)
    for source_type in set(frame["source_type"]):
        system, _, kind = source_type.partition("/")
        made = came_from(engine, tenant, system, kind)
        if made:
            keep &= ~((frame["source_type"] == source_type) & frame["source_id"].astype(str).isin(made))
    return frame[keep].reset_index(drop=True)


def _close_resolved(
    engine: Engine, tenant: TenantKey, step_name: str, ids: dict[str, dict[str, str]], run_id: str
) -> None:
    """Records now in Xero no longer have the problems that held them (notes stay: they recur)."""
    reasons = [rule.reason for rule in OBJECT_RULES[step_name].rules if not rule.note]
    for source_type, links in ids.items():
        system, _, object_type = source_type.partition("/")
        resolve_passed(engine, tenant, system, object_type, links, reasons, run_id=run_id)
