"""The ledger port: every record a sync step keeps of what it did, outside the target system.

A step writes to two places: the target API (``to_xero.writer``, ``to_procore.writer``) and this ledger —
the crosswalk (``id_map`` links), the exception queue (raise, resolve, close), the validation results file
and the job-cost figures. ``StagingLedger`` keeps them in staging and the data dir; a dry run gets a
``RecordingLedger``, which keeps them in memory only, so a dry run cannot write by forgetting a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Connection, Engine

from procore_xero.staging.engine import transaction
from procore_xero.staging.exceptions_queue import (
    Problem,
    raise_exception,
    resolve,
    resolve_passed,
)
from procore_xero.staging.id_map import Crosswalk, record_mapping
from procore_xero.staging.job_costs import replace_job_costs
from procore_xero.staging.keys import TenantKey
from procore_xero.staging.write_leases import write_lease
from procore_xero.sync.scope import close_by_design
from procore_xero.validation import hold_failures, save_results
from procore_xero.validation.outcome import ValidationOutcome


class Lease(Protocol):
    """The right to write one object type to one tenant, renewed before each batch."""

    def renew(self) -> None: ...


class Ledger(Protocol):
    """What a step records about its records; ``batch()`` groups records that stand or fall together."""

    def batch(self) -> AbstractContextManager[Ledger]: ...

    def lease(self, tenant_id: str, target_type: str) -> AbstractContextManager[Lease]: ...

    def link(
        self,
        crosswalk: Crosswalk,
        source_id: str,
        target_id: str,
        *,
        payload_hash: str | None = None,
        target_updated_at: datetime | None = None,
    ) -> None: ...

    def raise_problem(self, problem: Problem, *, source_label: str, message: str, details: Any) -> None: ...

    def resolve(self, problem: Problem) -> None: ...

    def resolve_passed(
        self, system: str, object_type: str, links: Mapping[str, str], reasons: Iterable[str]
    ) -> None: ...

    def close_out_of_scope(self, by_design: pd.DataFrame) -> None: ...

    def hold(self, outcome: ValidationOutcome) -> None: ...

    def replace_job_costs(self, rows: list[dict[str, Any]]) -> None: ...


@dataclass(frozen=True)
class StagingLedger:
    """The real ledger: staging tables (through ``bind``) and the validation results under the data dir."""

    bind: Engine | Connection
    tenant: TenantKey
    run_id: str

    @contextmanager
    def batch(self) -> Iterator[StagingLedger]:
        with transaction(self.bind) as connection:
            yield replace(self, bind=connection)

    def lease(self, tenant_id: str, target_type: str) -> AbstractContextManager[Lease]:
        assert isinstance(self.bind, Engine), "a write lease is taken outside any transaction"
        return write_lease(self.bind, tenant_id, target_type)

    def link(
        self,
        crosswalk: Crosswalk,
        source_id: str,
        target_id: str,
        *,
        payload_hash: str | None = None,
        target_updated_at: datetime | None = None,
    ) -> None:
        record_mapping(
            self.bind,
            self.tenant,
            crosswalk,
            source_id,
            target_id,
            payload_hash=payload_hash,
            target_updated_at=target_updated_at,
        )

    def raise_problem(self, problem: Problem, *, source_label: str, message: str, details: Any) -> None:
        raise_exception(
            self.bind,
            problem,
            source_label=source_label,
            message=message,
            details=details,
            run_id=self.run_id,
        )

    def resolve(self, problem: Problem) -> None:
        resolve(self.bind, problem, run_id=self.run_id)

    def resolve_passed(
        self, system: str, object_type: str, links: Mapping[str, str], reasons: Iterable[str]
    ) -> None:
        resolve_passed(self.bind, self.tenant, system, object_type, links, reasons, run_id=self.run_id)

    def close_out_of_scope(self, by_design: pd.DataFrame) -> None:
        close_by_design(self.bind, self.tenant, by_design, self.run_id)

    def hold(self, outcome: ValidationOutcome) -> None:
        hold_failures(self.bind, self.tenant, outcome, self.run_id)
        save_results(outcome, self.run_id)

    def replace_job_costs(self, rows: list[dict[str, Any]]) -> None:
        replace_job_costs(self.bind, self.tenant, rows, run_id=self.run_id)


class _NoLease:
    """A dry run writes nothing, so it holds off no other writer."""

    def renew(self) -> None:
        return None


@dataclass
class RecordingLedger:
    """The dry run's ledger: ``recorded`` lists (operation, what) a real run would have kept, in order."""

    recorded: list[tuple[str, Any]] = field(default_factory=list)

    @contextmanager
    def batch(self) -> Iterator[RecordingLedger]:
        yield self

    @contextmanager
    def lease(self, tenant_id: str, target_type: str) -> Iterator[Lease]:
        yield _NoLease()

    def link(
        self,
        crosswalk: Crosswalk,
        source_id: str,
        target_id: str,
        *,
        payload_hash: str | None = None,
        target_updated_at: datetime | None = None,
    ) -> None:
        self.recorded.append(("link", (crosswalk, source_id, target_id, payload_hash)))

    def raise_problem(self, problem: Problem, *, source_label: str, message: str, details: Any) -> None:
        self.recorded.append(("raise", (problem, message)))

    def resolve(self, problem: Problem) -> None:
        self.recorded.append(("resolve", problem))

    def resolve_passed(
        self, system: str, object_type: str, links: Mapping[str, str], reasons: Iterable[str]
    ) -> None:
        self.recorded.append(("resolve_passed", (system, object_type, sorted(links), sorted(reasons))))

    def close_out_of_scope(self, by_design: pd.DataFrame) -> None:
        self.recorded.append(("close_out_of_scope", sorted(by_design["source_id"].astype(str))))

    def hold(self, outcome: ValidationOutcome) -> None:
        self.recorded.append(("hold", outcome.summary()))

    def replace_job_costs(self, rows: list[dict[str, Any]]) -> None:
        self.recorded.append(("replace_job_costs", len(rows)))
