"""What both loaders keep about a record they handled, through the run's ledger: its link (and the
problems that link closes), or the problem that holds it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from procore_xero.ledger import Ledger
from procore_xero.load.report import LoadReport
from procore_xero.outgoing import Outgoing
from procore_xero.staging.exceptions_queue import Problem
from procore_xero.staging.id_map import Crosswalk
from procore_xero.staging.keys import TenantKey


class KeepsRecords:
    """Mixed into a loader that has ``tenant``, ``ledger`` and ``report`` and knows its records' crosswalk."""

    tenant: TenantKey
    ledger: Ledger
    report: LoadReport

    def _crosswalk_of(self, record: Outgoing) -> Crosswalk:
        raise NotImplementedError

    def _keep(
        self,
        record: Outgoing,
        target_id: str,
        updated: datetime | None,
        closes: Iterable[str],
        ledger: Ledger | None = None,
    ) -> None:
        """The record is in the target as ``target_id``: link it (with its payload hash and the target's
        update time) and close the problems of ``closes`` it had."""
        ledger, crosswalk = ledger or self.ledger, self._crosswalk_of(record)
        self.report.link(record.source_type, record.source_id, target_id)
        ledger.link(
            crosswalk,
            record.source_id,
            target_id,
            payload_hash=record.content_hash(),
            target_updated_at=updated,
        )
        for reason in closes:
            ledger.resolve(self._problem(crosswalk, record.source_id, reason))

    def _raise(
        self,
        record: Outgoing,
        reason: str,
        message: str,
        details: Any,
        ledger: Ledger | None = None,
    ) -> None:
        """Queue (or refresh) the problem that holds the record."""
        (ledger or self.ledger).raise_problem(
            self._problem(self._crosswalk_of(record), record.source_id, reason),
            source_label=record.label,
            message=message,
            details=details,
        )

    def _problem(self, crosswalk: Crosswalk, source_id: str, reason: str) -> Problem:
        return Problem(self.tenant, crosswalk.source_system, crosswalk.source_type, source_id, reason)
