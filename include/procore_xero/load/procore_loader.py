"""Batched, idempotent writes to Procore for money coming back from Xero.

Every record goes through its resource's sync action (``PATCH …/sync``, up to 1,000 per call, per project)
keyed by ``origin_id`` = the Xero id, so a batch whose answer was lost is simply sent again and updates
what the first attempt created. Payments issued have no sync action in Procore's API: one POST each, and a
POST whose answer was lost is looked up by its ``origin_id`` (unique per company) before it could be sent
again; so is one Procore refuses because its ``origin_id`` is taken (an earlier attempt made the record and
died before recording it), which is then brought up to date. ``id_map`` (Xero -> Procore) remembers the
Procore id and the payload hash: unchanged records cost no call. ``action`` "link" records only a link (a
vendor matched by name); "delete" reverses what was sent (a payment deleted in Xero). Per-record errors — a
record owned by another integration (422), a rule Procore enforces — become exceptions; the rest of the
batch still loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from procore_xero.clients import ProcoreClient
from procore_xero.clients.errors import RequestRejected, ServiceUnavailable
from procore_xero.load.commitments import post_commitments
from procore_xero.load.report import LoadReport, TypeCounts, calls_between
from procore_xero.outgoing import Outgoing, to_outgoing
from procore_xero.staging import (
    Crosswalk,
    Problem,
    TenantKey,
    lookup_mappings,
    raise_exception,
    record_mapping,
    resolve,
)
from procore_xero.staging.timestamps import parse_api_timestamp

PROCORE_REJECTED = "procore_rejected"
OWNED_BY_ANOTHER_INTEGRATION = "owned_by_another_integration"
DELETED_MARK = "deleted"  # id_map.payload_hash of a record reversed in Procore
NOT_FOUND = 404


@dataclass(frozen=True)
class ProcoreTarget:
    """Where one resource's writes go; ``{project_id}`` / ``{id}`` are filled per call.

    A resource without a sync action (``sync_path`` None: payments issued) is created one POST per record
    under ``wrapper``, with ``top_level`` fields repeated beside it as Procore asks; a POST whose answer was
    lost is found again by its ``origin_id`` before anything is sent twice.
    """

    sync_path: str | None
    item_path: str
    project_scoped: bool = True
    list_path: str | None = None
    wrapper: str | None = None
    top_level: tuple[str, ...] = ()


PROCORE_TARGETS: dict[str, ProcoreTarget] = {
    "vendors": ProcoreTarget("/rest/v1.0/vendors/sync", "/rest/v1.0/vendors/{id}", project_scoped=False),
    "contract_payments": ProcoreTarget(
        None,
        "/rest/v1.0/contract_payments/{id}?project_id={project_id}",
        list_path="/rest/v1.0/contract_payments",
        wrapper="contract_payment",
        top_level=("contract_id",),
    ),
    "direct_costs": ProcoreTarget(
        "/rest/v1.1/projects/{project_id}/direct_costs/sync",
        "/rest/v1.1/projects/{project_id}/direct_costs/{id}",
    ),
    "purchase_order_contracts": ProcoreTarget(
        "/rest/v1.0/purchase_order_contracts/sync",
        "/rest/v1.0/purchase_order_contracts/{id}?project_id={project_id}",
    ),
}


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
    before = client.calls
    loader = _Loader(client, engine, tenant, run_id, dry_run, resend, LoadReport(dry_run=dry_run))
    groups: dict[str, list[ProcoreWrite]] = {}
    for write in writes:
        groups.setdefault(write.record.target_type, []).append(write)
    for target_type, group in groups.items():
        loader.load_group(target_type, group)
    loader.report.calls = calls_between(before, client.calls)
    return loader.report


@dataclass
class _Loader:
    client: ProcoreClient
    engine: Engine
    tenant: TenantKey
    run_id: str
    dry_run: bool
    resend: bool
    report: LoadReport

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
        if self.dry_run:
            return
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
        payload = dict(write.record.payload)
        body = {
            "project_id": int(write.project_id or 0),
            **{name: payload[name] for name in target.top_level if name in payload},
            target.wrapper: payload,
        }
        try:
            if mapping is None:
                entity = self._create(target, write, body)
            else:
                entity = self._update(target, write, body, mapping.target_id)
        except RequestRejected as error:
            self._failed(
                write, {"errors": _errors(error) or {"request": str(error)}}, counts, mapping is not None
            )
            return
        self._remember(write, entity)

    def _create(self, target: ProcoreTarget, write: ProcoreWrite, body: Mapping[str, Any]) -> Any:
        """POST one record. If an earlier attempt made it — its answer was lost, or the worker died before
        recording it, so Procore now says the ``origin_id`` is taken — the record is found again by its
        ``origin_id`` (and brought up to date) instead of being sent twice or held forever."""
        try:
            return self.client.send("POST", str(target.list_path), body)
        except ServiceUnavailable as error:
            entity = self._by_origin(target, write, body) if error.maybe_applied else None
            if entity is None:
                raise
            return entity
        except RequestRejected as error:
            errors = _errors(error)
            taken = isinstance(errors, dict) and "already been taken" in str(errors.get("origin_id", ""))
            entity = self._by_origin(target, write, body) if taken else None
            if entity is None:
                raise
            return self._update(target, write, body, str(entity["id"]))

    def _update(
        self, target: ProcoreTarget, write: ProcoreWrite, body: Mapping[str, Any], procore_id: str
    ) -> Any:
        path = target.item_path.format(id=procore_id, project_id=write.project_id)
        return self.client.send("PATCH", path, body, idempotent=True)

    def _by_origin(self, target: ProcoreTarget, write: ProcoreWrite, body: Mapping[str, Any]) -> Any:
        """The record a write whose answer was lost created, if it did (``filters[origin_id]``)."""
        params = {
            "project_id": body["project_id"],
            **{name: body[name] for name in target.top_level if name in body},
            "filters[origin_id]": write.record.natural_key["origin_id"],
        }
        found = self.client.get(str(target.list_path), params) or []
        return found[0] if found else None

    def _link(self, crosswalk: Crosswalk, write: ProcoreWrite, counts: TypeCounts) -> None:
        counts.matched_existing += 1
        assert write.link_to is not None, f"{write.record.label}: a link needs the Procore id"
        self.report.link(write.record.source_type, write.record.source_id, write.link_to)
        if not self.dry_run:
            record_mapping(self.engine, self.tenant, crosswalk, write.record.source_id, write.link_to)

    def _reverse(self, crosswalk: Crosswalk, write: ProcoreWrite, mapping: Any, counts: TypeCounts) -> None:
        """Delete the Procore record a now-deleted Xero record made; nothing to do if none was made."""
        if mapping is None or mapping.payload_hash == DELETED_MARK:
            counts.unchanged += 1
            return
        counts.deleted += 1
        if self.dry_run:
            return
        path = PROCORE_TARGETS[crosswalk.target_type].item_path.format(
            id=mapping.target_id, project_id=write.project_id
        )
        try:
            self.client.send("DELETE", path, None, idempotent=True)
        except RequestRejected as error:
            if error.status != NOT_FOUND:  # already gone: the reversal stands
                counts.deleted -= 1
                counts.failed += 1
                self._raise(crosswalk, write, PROCORE_REJECTED, str(error), {"procore_id": mapping.target_id})
                return
        record_mapping(
            self.engine,
            self.tenant,
            crosswalk,
            write.record.source_id,
            mapping.target_id,
            payload_hash=DELETED_MARK,
        )

    def _sync(
        self,
        target_type: str,
        project_id: str | None,
        batch: list[ProcoreWrite],
        known: Mapping[tuple[str, str], Any],
        counts: TypeCounts,
    ) -> None:
        target = PROCORE_TARGETS[target_type]
        body = (
            {"project_id": int(project_id)}
            if target.project_scoped and project_id
            else {"company_id": self.client.company_id}  # the company vendor sync requires it
        )
        path = str(target.sync_path).format(project_id=project_id)
        records = [dict(w.record.payload) for w in batch]
        if target_type == "purchase_order_contracts":
            result = post_commitments(self.client, path, int(project_id or 0), records)
        else:
            result = self.client.sync(path, records, body=body, idempotent=True)
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
        crosswalk = crosswalk_of(write.record.source_type, write.record.target_type)
        procore_id = str(entity["id"])
        self.report.link(write.record.source_type, write.record.source_id, procore_id)
        record_mapping(
            self.engine,
            self.tenant,
            crosswalk,
            write.record.source_id,
            procore_id,
            payload_hash=write.record.content_hash(),
            target_updated_at=parse_api_timestamp(entity.get("updated_at")),
        )
        for reason in (PROCORE_REJECTED, OWNED_BY_ANOTHER_INTEGRATION):
            resolve(self.engine, self._problem(crosswalk, write.record.source_id, reason), run_id=self.run_id)

    def _failed(
        self, write: ProcoreWrite, error: Mapping[str, Any], counts: TypeCounts, existed: bool
    ) -> None:
        crosswalk = crosswalk_of(write.record.source_type, write.record.target_type)
        if existed:
            counts.updated -= 1
        else:
            counts.created -= 1
        counts.failed += 1
        problems = error.get("errors") or {}
        owned = "origin_id" in problems and "another integration" in str(problems["origin_id"])
        reason = OWNED_BY_ANOTHER_INTEGRATION if owned else PROCORE_REJECTED
        self._raise(
            crosswalk,
            write,
            reason,
            f"{write.record.label}: Procore refused it: {problems}",
            {"errors": problems},
        )

    def _raise(
        self, crosswalk: Crosswalk, write: ProcoreWrite, reason: str, message: str, details: Any
    ) -> None:
        raise_exception(
            self.engine,
            self._problem(crosswalk, write.record.source_id, reason),
            source_label=write.record.label,
            message=message,
            details=details,
            run_id=self.run_id,
        )

    def _problem(self, crosswalk: Crosswalk, source_id: str, reason: str) -> Problem:
        return Problem(self.tenant, crosswalk.source_system, crosswalk.source_type, source_id, reason)


def _errors(error: RequestRejected) -> Any:
    """Procore's reasons for a refusal: ``{"field": ["why"]}``, a message, or None."""
    return error.body.get("errors") if isinstance(error.body, dict) else None


def crosswalk_of(source_type: str, target_type: str) -> Crosswalk:
    """``xero/payments`` + ``contract_payments`` -> the Xero payments to Procore payments crosswalk."""
    system, _, kind = source_type.partition("/")
    return Crosswalk(system, kind, "procore", target_type)


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
