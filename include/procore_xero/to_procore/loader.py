"""Batched, idempotent writes to Procore for money coming back from Xero.

Every record goes through its resource's sync action (``PATCH …/sync``, up to 1,000 per call, per project)
keyed by ``origin_id`` = the Xero id, so a batch whose answer was lost is simply sent again and updates
what the first attempt created. Payments issued have no sync action in Procore's API: one POST each, and a
POST whose answer was lost is looked up by its ``origin_id`` (unique per company) in its commitment's
payments (the list is per ``contract_id`` and publishes no filter: matched here) before it could be sent
again; so is one Procore refuses because its ``origin_id`` is taken (an earlier attempt made the record and
died before recording it), which is then brought up to date. Direct costs go through the v1.0 sync action,
their lines through the line-items sync (``to_procore.direct_costs``). ``id_map`` (Xero -> Procore)
remembers the Procore id and the payload hash: unchanged records cost no call. ``action`` "link" records
only a link (a vendor matched by name); "delete" reverses what was sent (a payment deleted in Xero).
Per-record errors — a record owned by another integration (422), a rule Procore enforces — become
exceptions; the rest of the batch still loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Engine

from procore_xero.amounts import amounts_as_text
from procore_xero.clients import ProcoreClient, SyncResult
from procore_xero.clients.errors import RequestRejected
from procore_xero.ledger import Ledger
from procore_xero.load.record_keeping import KeepsRecords
from procore_xero.load.report import LoadReport, TypeCounts, calls_between
from procore_xero.outgoing import Outgoing, to_outgoing
from procore_xero.run_mode import RunMode
from procore_xero.staging import Crosswalk, TenantKey, lookup_mappings
from procore_xero.staging.timestamps import parse_api_timestamp
from procore_xero.to_procore.writer import PROCORE_TARGETS, ProcoreTarget, ProcoreWriter, refusal

if TYPE_CHECKING:
    from procore_xero.tenant_run import TenantRun

PROCORE_REJECTED = "procore_rejected"
OWNED_BY_ANOTHER_INTEGRATION = "owned_by_another_integration"
DELETED_MARK = "deleted"  # id_map.payload_hash of a record reversed in Procore
NOT_FOUND = 404
__all__ = ["PROCORE_TARGETS", "ProcoreTarget", "ProcoreWrite", "load_to_procore", "procore_writes"]


@dataclass(frozen=True)
class ProcoreWrite:
    """One row of a transform frame bound for Procore: the record plus what to do and where."""

    record: Outgoing
    action: str  # "upsert" | "link" | "delete"
    project_id: str | None
    link_to: str | None = None  # "link": the Procore id to record


def procore_writes(frame: pd.DataFrame) -> list[ProcoreWrite]:
    """The passed rows of a transform frame, with its ``action``, ``project_id``, ``matched_vendor_id``."""
    records = to_outgoing(frame)
    extras = frame.reindex(columns=["action", "project_id", "matched_vendor_id"]).to_dict("records")
    return [
        ProcoreWrite(
            record, extra["action"] or "upsert", _text(extra["project_id"]), _text(extra["matched_vendor_id"])
        )
        for record, extra in zip(records, extras, strict=True)
    ]


def load_to_procore(
    client: ProcoreClient,
    engine: Engine,
    tenant: TenantKey,
    writes: Iterable[ProcoreWrite],
    *,
    run_id: str,
    dry_run: bool = False,
    resend: bool = False,
) -> LoadReport:
    """Write, link or reverse every record; ``report.ids`` maps source ids to Procore ids."""
    mode = RunMode(dry_run=dry_run)
    loader = ProcoreLoader(
        client,
        engine,
        tenant,
        mode.procore_writer(client),
        mode.ledger(engine, tenant, run_id),
        resend,
        LoadReport(dry_run=dry_run),
    )
    return loader.load(writes)


@dataclass
class ProcoreLoader(KeepsRecords):
    """Reads staging through ``engine``; writes only through ``writer`` (Procore) and ``ledger``."""

    client: ProcoreClient
    engine: Engine
    tenant: TenantKey
    writer: ProcoreWriter
    ledger: Ledger
    resend: bool
    report: LoadReport

    @classmethod
    def for_run(cls, run: TenantRun) -> ProcoreLoader:
        """The loader of a sync step: the run's client, writer and ledger."""
        return cls(
            run.procore,
            run.engine,
            run.key,
            run.procore_writer,
            run.ledger,
            run.mode.full_refresh,
            LoadReport(dry_run=run.mode.dry_run),
        )

    def load(self, writes: Iterable[ProcoreWrite]) -> LoadReport:
        """Every target type's writes; the report, with the calls spent."""
        before = self.client.calls
        groups: dict[str, list[ProcoreWrite]] = {}
        for write in writes:
            groups.setdefault(write.record.target_type, []).append(write)
        for target_type, group in groups.items():
            self.load_group(target_type, group)
        self.report.calls = calls_between(before, self.client.calls)
        return self.report

    def load_group(self, target_type: str, writes: list[ProcoreWrite]) -> None:
        """One target type; records of every source type share the per-project sync calls."""
        counts = self.report.count(target_type)
        known: dict[tuple[str, str], Any] = {}
        for source_type in {w.record.source_type for w in writes}:
            ids = [w.record.source_id for w in writes if w.record.source_type == source_type]
            found = lookup_mappings(self.engine, self.tenant, crosswalk_of(source_type, target_type), ids)
            known.update({(source_type, source_id): mapping for source_id, mapping in found.items()})
        upserts: dict[str | None, list[ProcoreWrite]] = {}
        for write in writes:
            record = write.record
            crosswalk = crosswalk_of(record.source_type, target_type)
            mapping = known.get((record.source_type, record.source_id))
            if write.action == "link":
                self._link(crosswalk, write, counts)
            elif write.action == "delete":
                self._reverse(crosswalk, write, mapping, counts)
            elif mapping and mapping.payload_hash == record.content_hash() and not self.resend:
                counts.unchanged += 1
                self.report.link(record.source_type, record.source_id, mapping.target_id)
            else:
                counts.updated += mapping is not None
                counts.created += mapping is None
                upserts.setdefault(write.project_id, []).append(write)
        for project_id, batch in upserts.items():
            if PROCORE_TARGETS[target_type].sync_path is None:
                for write in batch:
                    self._one(write, known.get((write.record.source_type, write.record.source_id)), counts)
            else:
                self._sync(target_type, project_id, batch, known, counts)

    def _one(self, write: ProcoreWrite, mapping: Any, counts: TypeCounts) -> None:
        """Create (POST) or update (PATCH) one record of a resource without a sync action."""
        target = PROCORE_TARGETS[write.record.target_type]
        assert target.list_path is not None and target.wrapper is not None
        payload = amounts_as_text(write.record.payload)
        body = {
            "project_id": int(write.project_id or 0),
            **{name: payload.pop(name) for name in target.top_level if name in payload},
            target.wrapper: payload,
        }
        origin = str(write.record.natural_key["origin_id"])
        try:
            result = self.writer.one(target, body, origin, None if mapping is None else mapping.target_id)
        except RequestRejected as error:
            self._failed(
                write, {"errors": refusal(error) or {"request": str(error)}}, counts, mapping is not None
            )
            return
        for entity in result.entities:
            self._remember(write, entity)

    def _link(self, crosswalk: Crosswalk, write: ProcoreWrite, counts: TypeCounts) -> None:
        counts.matched_existing += 1
        assert write.link_to is not None, f"{write.record.label}: a link needs the Procore id"
        self.report.link(write.record.source_type, write.record.source_id, write.link_to)
        self.ledger.link(crosswalk, write.record.source_id, write.link_to)

    def _reverse(self, crosswalk: Crosswalk, write: ProcoreWrite, mapping: Any, counts: TypeCounts) -> None:
        """Delete the Procore record a now-deleted Xero record made; nothing to do if none was made."""
        if mapping is None or mapping.payload_hash == DELETED_MARK:
            counts.unchanged += 1
            return
        counts.deleted += 1
        target = PROCORE_TARGETS[crosswalk.target_type]
        path = (target.delete_path or target.item_path).format(
            id=mapping.target_id,
            project_id=write.project_id,
            contract_id=write.record.payload.get("contract_id"),
        )
        try:
            self.writer.delete(path)
        except RequestRejected as error:
            if error.status != NOT_FOUND:  # already gone: the reversal stands
                counts.deleted -= 1
                counts.failed += 1
                self._raise(write.record, PROCORE_REJECTED, str(error), {"procore_id": mapping.target_id})
                return
        self.ledger.link(crosswalk, write.record.source_id, mapping.target_id, payload_hash=DELETED_MARK)

    def _sync(
        self,
        target_type: str,
        project_id: str | None,
        batch: list[ProcoreWrite],
        known: Mapping[tuple[str, str], Any],
        counts: TypeCounts,
    ) -> None:
        records = [dict(w.record.payload) for w in batch]
        result: SyncResult = self.writer.sync(target_type, project_id, records, self.client.company_id)
        by_origin = {str(w.record.natural_key["origin_id"]): w for w in batch}
        for entity in result.entities:
            write = by_origin.get(str(entity.get("origin_id")))
            if write is not None:
                self._remember(write, entity)
        for error in result.errors:
            write = by_origin.get(str((error.get("record") or error).get("origin_id")))
            if write is not None:
                existed = (write.record.source_type, write.record.source_id) in known
                self._failed(write, error, counts, existed)

    def _remember(self, write: ProcoreWrite, entity: Mapping[str, Any]) -> None:
        updated = parse_api_timestamp(entity.get("updated_at"))
        closes = (PROCORE_REJECTED, OWNED_BY_ANOTHER_INTEGRATION)
        self._keep(write.record, str(entity["id"]), updated, closes)

    def _crosswalk_of(self, record: Outgoing) -> Crosswalk:
        return crosswalk_of(record.source_type, record.target_type)

    def _failed(
        self, write: ProcoreWrite, error: Mapping[str, Any], counts: TypeCounts, existed: bool
    ) -> None:
        if existed:
            counts.updated -= 1
        else:
            counts.created -= 1
        counts.failed += 1
        problems = error.get("errors") or {}
        owned = "origin_id" in problems and "another integration" in str(problems["origin_id"])
        reason = OWNED_BY_ANOTHER_INTEGRATION if owned else PROCORE_REJECTED
        self._raise(
            write.record,
            reason,
            f"{write.record.label}: Procore refused it: {problems}",
            {"errors": problems},
        )


def crosswalk_of(source_type: str, target_type: str) -> Crosswalk:
    """``xero/payments`` + ``contract_payments`` -> the Xero payments to Procore payments crosswalk."""
    system, _, kind = source_type.partition("/")
    return Crosswalk(system, kind, "procore", target_type)


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
