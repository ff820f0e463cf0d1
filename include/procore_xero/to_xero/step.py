"""The Procore -> Xero half of a step: staged Procore records -> transform frame -> ``XeroLoader``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from procore_xero.load.report import LoadReport
from procore_xero.mapping import KnownInXero
from procore_xero.mapping.staged import read_staged
from procore_xero.outgoing import to_outgoing
from procore_xero.staging import TenantKey
from procore_xero.staging.id_map import came_from
from procore_xero.sync.pipeline import Prepared
from procore_xero.sync.scope import out_of_scope_projects, split_out_of_scope
from procore_xero.sync.steps import STEPS
from procore_xero.tenant_run import TenantRun
from procore_xero.to_xero.loader import XeroLoader


@dataclass(frozen=True)
class ToXero:
    """``known``: what the step's records may reference in Xero (``to_xero.known.known_in_xero``)."""

    known: KnownInXero

    def prepare(self, step_name: str, run: TenantRun) -> Prepared:
        """The transform of the step's staged records (one project's documents with ``mode.project_id``),
        without records that came from Xero, and the records of projects not at the send stage apart."""
        step = STEPS[step_name]
        scope = run.mode.project_id if step.documents else None
        inputs = staged_inputs(run.engine, step.staged, run.key.company_id, scope)
        frame = without_records_from_xero(run.engine, run.key, step.transformed(inputs, self.known, run.spec))
        out = out_of_scope_projects(
            read_staged(run.engine, "projects", run.key.company_id), run.spec.settings.send_to_xero_stage
        )
        frame, by_design = split_out_of_scope(frame, out)
        return Prepared(frame, by_design)

    def load(self, passed: pd.DataFrame, run: TenantRun) -> LoadReport:
        return XeroLoader.for_run(run).load(to_outgoing(passed))


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
