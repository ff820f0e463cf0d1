"""The Xero -> Procore half of a step: staged Xero records -> transform frame -> ``ProcoreLoader``."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from procore_xero.load.report import LoadReport
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.sync.inbound_steps import INBOUND_STEPS
from procore_xero.sync.pipeline import Prepared
from procore_xero.tenant_run import TenantRun
from procore_xero.to_procore.loader import ProcoreLoader, procore_writes


@dataclass(frozen=True)
class ToProcore:
    """``known``: what the step's records may reference in Procore (``to_procore.known``)."""

    known: KnownInProcore

    def prepare(self, step_name: str, run: TenantRun) -> Prepared:
        frame, counted = INBOUND_STEPS[step_name].built(run.engine, run.key, run.spec, self.known)
        return Prepared(frame, counted=counted)

    def load(self, passed: pd.DataFrame, run: TenantRun) -> LoadReport:
        return ProcoreLoader.for_run(run).load(procore_writes(passed))
