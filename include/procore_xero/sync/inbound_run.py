"""One step of money coming back: staged Xero records -> transform -> validate -> queue -> load to Procore."""

from __future__ import annotations

from sqlalchemy import Engine

from procore_xero.clients import ProcoreClient
from procore_xero.load.procore_loader import load_to_procore, procore_writes
from procore_xero.mapping import MappingSpec
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.staging import TenantKey
from procore_xero.sync.inbound_steps import INBOUND_STEPS
from procore_xero.sync.run_step import StepResult, check, finish_step, switched_off


def sync_inbound_step(
    step_name: str,
    *,
    client: ProcoreClient,
    engine: Engine,
    tenant: TenantKey,
    spec: MappingSpec,
    known: KnownInProcore,
    run_id: str,
    dry_run: bool = False,
    full_refresh: bool = False,
) -> StepResult:
    """Send one object type to Procore; a step switched off in the settings does nothing and says so."""
    if not spec.enabled(step_name):
        return switched_off(step_name, dry_run)
    frame, counted = INBOUND_STEPS[step_name].build(engine, tenant, spec, known)
    verdict = check(frame, step_name, engine=engine, tenant=tenant, spec=spec, run_id=run_id, dry_run=dry_run)
    report = load_to_procore(
        client,
        engine,
        tenant,
        procore_writes(verdict.outcome.passed),
        run_id=run_id,
        dry_run=dry_run,
        resend=full_refresh,
    )
    result = finish_step(step_name, frame, verdict, report, engine=engine, tenant=tenant, run_id=run_id)
    result.load.update(counted)
    return result
