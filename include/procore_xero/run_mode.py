"""How a run was asked to go (the DAG Params), and the one place that turns a dry run into ports.

Steps and loaders never ask whether this is a dry run: they write through a target writer and a ledger,
and a dry run hands them the recording ones (``procore_xero.ledger``, ``to_xero.writer``,
``to_procore.writer``), which keep in memory what a real run would write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from procore_xero.clients import ProcoreClient, XeroClient
from procore_xero.ledger import Ledger, RecordingLedger, StagingLedger
from procore_xero.staging.keys import TenantKey
from procore_xero.to_procore.writer import ProcoreApiWriter, ProcoreWriter, RecordingProcoreWriter
from procore_xero.to_xero.writer import RecordingXeroWriter, XeroApiWriter, XeroWriter


@dataclass(frozen=True)
class RunMode:
    """``dry_run``: write nothing, report what would happen; ``full_refresh``: re-send unchanged records;
    ``project_id``: only this staged Procore project's documents (None: all)."""

    dry_run: bool = False
    full_refresh: bool = False
    project_id: str | None = None

    def ledger(self, engine: Engine, tenant: TenantKey, run_id: str) -> Ledger:
        return RecordingLedger() if self.dry_run else StagingLedger(engine, tenant, run_id)

    def xero_writer(self, client: XeroClient) -> XeroWriter:
        return RecordingXeroWriter() if self.dry_run else XeroApiWriter(client)

    def procore_writer(self, client: ProcoreClient) -> ProcoreWriter:
        return RecordingProcoreWriter() if self.dry_run else ProcoreApiWriter(client)
