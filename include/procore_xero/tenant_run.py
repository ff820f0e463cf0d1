"""``TenantRun``: one tenant's run of one task, built once and handed to the steps and loaders.

It holds what every step needs — the tenant's staging key, mapping spec, staging engine, run id, run
mode and (built on first use) its API clients — and the ports a step writes through, chosen once by the
run mode (``RunMode``): a dry run's ledger and writers record, a real run's write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine

from procore_xero.clients import ProcoreClient, XeroClient
from procore_xero.ledger import Ledger
from procore_xero.mapping import MappingSpec
from procore_xero.run_mode import RunMode
from procore_xero.staging.keys import TenantKey
from procore_xero.to_procore.writer import ProcoreWriter
from procore_xero.to_xero.writer import XeroWriter


@dataclass(frozen=True)
class TenantRun:
    """``connect_xero`` / ``connect_procore`` build the clients; each is called at most once, when a step
    first needs that API (a Procore -> Xero task never signs in to Procore)."""

    name: str
    key: TenantKey
    spec: MappingSpec
    engine: Engine
    run_id: str
    mode: RunMode
    connect_xero: Callable[[], XeroClient] = field(default_factory=lambda: _unconnected("Xero"))
    connect_procore: Callable[[], ProcoreClient] = field(default_factory=lambda: _unconnected("Procore"))

    @cached_property
    def xero(self) -> XeroClient:
        return self.connect_xero()

    @cached_property
    def procore(self) -> ProcoreClient:
        return self.connect_procore()

    @cached_property
    def ledger(self) -> Ledger:
        return self.mode.ledger(self.engine, self.key, self.run_id)

    @cached_property
    def xero_writer(self) -> XeroWriter:
        return self.mode.xero_writer(self.xero)

    @cached_property
    def procore_writer(self) -> ProcoreWriter:
        return self.mode.procore_writer(self.procore)


def _unconnected(service: str) -> Callable[[], Any]:
    """For a run built without one of the APIs (a tool that drives one direction)."""

    def connect() -> Any:
        raise RuntimeError(f"this run was built without a {service} connection")

    return connect
