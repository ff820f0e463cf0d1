"""``load_to_xero``: write ``Outgoing`` records to Xero once, in batches of 50, and remember each in
``id_map``.

Per target type: records whose payload hash matches ``id_map`` are skipped (no call); changed ones are
checked against Xero's current copy and updated unless a person edited it there (``edited_in_xero``);
new ones are first looked for in Xero by natural key (a write whose answer was lost, a contact keyed in
by hand) and linked, and the rest are created. Xero lets bill numbers repeat, so that look-then-create is
made under a write lease per tenant and target type (``staging.write_leases``): a second run, on any
worker, waits and then finds the first run's records in ``id_map``. Every batch is recorded as soon as
it returns, so a failure later in the run loses nothing; Xero's per-element errors become
``xero_rejected`` exceptions while the rest of the batch lands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from procore_xero.clients import ElementResult, RequestRejected, XeroClient
from procore_xero.clients.xero import WRITE_BATCH_SIZE
from procore_xero.ledger import Lease, Ledger
from procore_xero.load.record_keeping import KeepsRecords
from procore_xero.load.report import LoadReport, TypeCounts, calls_between
from procore_xero.outgoing import TARGET_TYPES, Outgoing
from procore_xero.run_mode import RunMode
from procore_xero.staging.exceptions_queue import ExceptionStatus, Problem, decided
from procore_xero.staging.id_map import Crosswalk, lookup_mappings
from procore_xero.staging.id_map import Mapping as IdMapping
from procore_xero.staging.keys import TenantKey
from procore_xero.staging.objects import System
from procore_xero.to_xero.conflicts import current_copies, edited_since_sync, with_line_item_ids
from procore_xero.to_xero.contact_matches import (
    CONTACT_NEAR_MATCH,
    contact_number_updates,
    near_match_details,
    near_match_message,
)
from procore_xero.to_xero.gone_in_xero import (
    MISSING_IN_XERO,
    STAGED_TYPES,
    VOIDED_IN_XERO,
    Gone,
    gone_in_xero,
)
from procore_xero.to_xero.natural_keys import candidates, match_existing
from procore_xero.to_xero.targets import TARGETS, Target, updated_at
from procore_xero.to_xero.tracking import project_category
from procore_xero.to_xero.writer import XeroWriter

if TYPE_CHECKING:
    from procore_xero.tenant_run import TenantRun

XERO_REJECTED = "xero_rejected"
EDITED_IN_XERO = "edited_in_xero"
DEFAULT_TRACKING_CATEGORY = "Project"
# What else the loader holds per target type, closed once the record is in Xero.
_HELD_BY_TYPE = {
    "Contacts": (CONTACT_NEAR_MATCH,),
    **{target_type: (VOIDED_IN_XERO, MISSING_IN_XERO) for target_type in STAGED_TYPES},
}


def load_to_xero(
    client: XeroClient,
    engine: Engine,
    tenant: TenantKey,
    records: list[Outgoing],
    *,
    run_id: str,
    dry_run: bool = False,
    tracking_category: str = DEFAULT_TRACKING_CATEGORY,
    resend: bool = False,
    resend_voided: bool = False,
) -> LoadReport:
    """Load ``records`` (any mix of target types, sent in dependency order) and report what happened;
    with ``dry_run`` nothing is written to Xero, ``id_map`` or the exception queue. ``resend`` treats
    unchanged records as changed (a full refresh after a mapping change): still never over a person's edit.
    ``resend_voided`` sends a document voided in Xero again as a new one instead of holding it."""
    mode = RunMode(dry_run=dry_run)
    loader = XeroLoader(
        client,
        engine,
        tenant,
        mode.xero_writer(client),
        mode.ledger(engine, tenant, run_id),
        tracking_category,
        resend,
        LoadReport(dry_run=dry_run),
        resend_voided,
    )
    return loader.load(records)


def _groups(records: Sequence[Outgoing]) -> dict[tuple[str, str], list[Outgoing]]:
    """Records per (target type, source type), target types in dependency order."""
    groups: dict[tuple[str, str], list[Outgoing]] = {}
    for record in sorted(records, key=lambda r: TARGET_TYPES.index(r.target_type)):
        groups.setdefault((record.target_type, record.source_type), []).append(record)
    return groups


def _crosswalk(source_type: str, target_type: str) -> Crosswalk:
    """``procore/vendors`` -> Procore vendors to Xero ``target_type``."""
    system, _, kind = source_type.rpartition("/")
    return Crosswalk(system or System.PROCORE.value, kind, System.XERO.value, target_type)


@dataclass
class XeroLoader(KeepsRecords):
    """Reads Xero and staging through ``client`` and ``engine``; writes only through ``writer`` (Xero) and
    ``ledger`` (crosswalk and exception queue)."""

    client: XeroClient
    engine: Engine
    tenant: TenantKey
    writer: XeroWriter
    ledger: Ledger
    tracking_category: str
    resend: bool
    report: LoadReport
    resend_voided: bool = False

    lease: Lease | None = None
    decisions: dict[Crosswalk, Mapping[tuple[str, str], Any]] = field(default_factory=dict)

    @classmethod
    def for_run(cls, run: TenantRun) -> XeroLoader:
        """The loader of a sync step: the run's client, writer, ledger and settings."""
        settings = run.spec.settings
        return cls(
            run.xero,
            run.engine,
            run.key,
            run.xero_writer,
            run.ledger,
            settings.tracking_category,
            run.mode.full_refresh,
            LoadReport(dry_run=run.mode.dry_run),
            settings.resend_voided_in_xero,
        )

    def load(self, records: list[Outgoing]) -> LoadReport:
        """Every group of ``records`` in dependency order; the report, with the calls spent."""
        before = self.client.calls
        for (target_type, source_type), group in _groups(records).items():
            self.load_group(target_type, source_type, group)
        self.report.calls = calls_between(before, self.client.calls)
        return self.report

    def load_group(self, target_type: str, source_type: str, records: list[Outgoing]) -> None:
        """One target type's records, the tenant's other writers of that type held off meanwhile."""
        with self.ledger.lease(self.tenant.tenant_id, target_type) as lease:
            self.lease = lease
            try:
                self._load_group(target_type, source_type, records)
            finally:
                self.lease = None

    def _load_group(self, target_type: str, source_type: str, records: list[Outgoing]) -> None:
        target, crosswalk = TARGETS[target_type], _crosswalk(source_type, target_type)
        counts = self.report.count(target_type)
        known = lookup_mappings(self.engine, self.tenant, crosswalk, [r.source_id for r in records])
        endpoint, options = target_type, None
        if target_type == "TrackingOptions":
            lookup = project_category(self.client, self.writer, self.tracking_category)
            if lookup.category is None:
                self._hold_for_category(crosswalk, lookup.problem or "", len(records), counts)
                return
            endpoint = f"TrackingCategories/{lookup.category['TrackingCategoryID']}/Options"
            options = lookup.category.get("Options") or []
        fresh, changed = [], []
        gone = self._gone(target_type, records, known)
        replacing: dict[str, str] = {}  # source id -> the voided / missing Xero id a re-send replaces
        for record in records:
            mapping = known.get(record.source_id)
            lost = gone.get(record.source_id)
            if lost is not None:
                if self._resend_gone(record, lost, counts):
                    fresh.append(record)
                    replacing[record.source_id] = lost.xero_id
            elif mapping is None or (mapping.payload_hash != record.content_hash() and not target.updatable):
                fresh.append(record)
            elif mapping.payload_hash == record.content_hash() and not self.resend:
                counts.unchanged += 1
                self.report.link(source_type, record.source_id, mapping.target_id)
            else:
                changed.append(record)
        updates = self._updatable(target, changed, known, counts)
        creates, numbered = self._not_in_xero(target, fresh, options, counts)
        for group in (
            [r for r in creates if r.source_id not in replacing],
            [r for r in creates if r.source_id in replacing],
        ):
            resent = ",".join(sorted(replacing[r.source_id] for r in group if r.source_id in replacing))
            pending = [(r, dict(r.payload)) for r in group]
            self._write(target, crosswalk, endpoint, "PUT", pending, "created", replacing=resent)
        self._write(target, crosswalk, endpoint, "POST", updates, "updated")
        self._write(target, crosswalk, endpoint, "POST", numbered, "matched_existing")

    def _updatable(
        self,
        target: Target,
        changed: list[Outgoing],
        known: Mapping[str, IdMapping],
        counts: TypeCounts,
    ) -> list[tuple[Outgoing, dict[str, Any]]]:
        """Changed records whose Xero copy nobody touched, as update payloads; the others are held."""
        copies = current_copies(
            self.client, target.target_type, [known[r.source_id].target_id for r in changed]
        )
        updates = []
        for record in changed:
            mapping = known[record.source_id]
            copy = copies.get(mapping.target_id.lower())
            if edited_since_sync(copy, mapping):
                counts.held += 1
                if copy is not None:
                    self.report.link(record.source_type, record.source_id, mapping.target_id)
                self._raise(
                    record,
                    EDITED_IN_XERO,
                    f"{record.label} was changed in Xero since the sync wrote it; the Procore change is "
                    "not sent so the edit is not overwritten.",
                    {
                        "xero_id": mapping.target_id,
                        "synced_updated_at": str(mapping.target_updated_at),
                        "xero_updated_at": str(updated_at(copy)) if copy else "deleted in Xero",
                    },
                )
                continue
            assert copy is not None
            updates.append(
                (record, {**with_line_item_ids(record.payload, copy), target.id_field: mapping.target_id})
            )
        return updates

    def _not_in_xero(
        self,
        target: Target,
        fresh: list[Outgoing],
        options: list[dict] | None,
        counts: TypeCounts,
    ) -> tuple[list[Outgoing], list[tuple[Outgoing, dict[str, Any]]]]:
        """Link the records Xero already holds (by natural key); return the ones to create and the linked
        contacts to give their ContactNumber (linked once that update lands)."""
        if not fresh:
            return [], []
        found = candidates(self.client, target.target_type, fresh, options)
        matches = match_existing(fresh, found)
        unmatched = [r for r in fresh if r.source_id not in matches]
        numbered: list[tuple[Outgoing, dict[str, Any]]] = []
        held: set[str] = set()
        if target.target_type == "Contacts":
            held = self._hold_near_matches(unmatched, found, counts)
            numbered = contact_number_updates(matches, fresh, found)
        waiting = {record.source_id for record, _ in numbered}
        with self.ledger.batch() as ledger:
            for record in fresh:
                existing = matches.get(record.source_id)
                if existing is None or record.source_id in waiting:
                    continue
                counts.matched_existing += 1
                self._remember(ledger, target, record, existing)
        return [r for r in unmatched if r.source_id not in held], numbered

    def _hold_near_matches(self, records: list[Outgoing], found: list[dict], counts: TypeCounts) -> set[str]:
        """Hold the contacts whose name is near an existing one's, unless a person approved creating
        that one against those same contacts; a rejection keeps it out silently."""
        near = near_match_details(records, found)
        if not near:
            return set()
        held = set()
        for record in records:
            details = near.get(record.source_id)
            if details is None:
                continue
            message = near_match_message(record, details)
            if not self._approved(record, CONTACT_NEAR_MATCH, message, details, counts):
                held.add(record.source_id)
        return held

    def _gone(
        self, target_type: str, records: list[Outgoing], known: Mapping[str, IdMapping]
    ) -> dict[str, Gone]:
        """The linked documents voided, deleted or missing in Xero (``to_xero.gone_in_xero``)."""
        if target_type not in STAGED_TYPES:
            return {}
        links = {r.source_id: known[r.source_id] for r in records if r.source_id in known}
        return gone_in_xero(self.client, self.engine, self.tenant, target_type, links)

    def _resend_gone(self, record: Outgoing, lost: Gone, counts: TypeCounts) -> bool:
        """Send a document Xero voided or lost again as a new one when the settings say so (voided only)
        or a person approved it; otherwise it waits, and its crosswalk row is not used."""
        if lost.reason == VOIDED_IN_XERO and self.resend_voided:
            return True
        return self._approved(
            record, lost.reason, lost.message(record.label), lost.details(record.payload), counts
        )

    def _approved(
        self,
        record: Outgoing,
        reason: str,
        message: str,
        details: dict[str, Any],
        counts: TypeCounts,
    ) -> bool:
        """True when a person approved ``reason`` on this record as it stands now (the same details);
        otherwise the record is held: queued, or silently kept out after a rejection."""
        crosswalk = self._crosswalk_of(record)
        if crosswalk not in self.decisions:
            self.decisions[crosswalk] = decided(
                self.engine, self.tenant, crosswalk.source_system, crosswalk.source_type
            )
        decision = self.decisions[crosswalk].get((record.source_id, reason))
        status = decision.status if decision is not None and decision.details == details else None
        if status == ExceptionStatus.APPROVED:
            return True
        counts.held += 1
        if status != ExceptionStatus.REJECTED:
            self._raise(record, reason, message, details)
        return False

    def _write(
        self,
        target: Target,
        crosswalk: Crosswalk,
        endpoint: str,
        method: str,
        pending: list[tuple[Outgoing, dict[str, Any]]],
        outcome: str,
        *,
        replacing: str = "",
    ) -> None:
        """Send ``pending`` in batches; ``replacing`` (the Xero ids a re-send replaces) makes the
        idempotency key differ from the first send's, which Xero would otherwise answer from its memory."""
        counts = self.report.count(target.target_type)
        for start in range(0, len(pending), WRITE_BATCH_SIZE):
            batch = pending[start : start + WRITE_BATCH_SIZE]
            if self.lease is not None:
                self.lease.renew()
            key = f"pxsync-{crosswalk.source_type}-{target.target_type}-{method}"
            if replacing:
                key += f"-replacing-{hashlib.sha256(replacing.encode()).hexdigest()[:16]}"
            results = self._save(endpoint, target, [payload for _, payload in batch], method, key)
            with self.ledger.batch() as ledger:
                for (record, _), result in zip(batch, results, strict=True):
                    if result.ok:
                        setattr(counts, outcome, getattr(counts, outcome) + 1)
                        self._remember(ledger, target, record, result.element)
                    else:
                        counts.failed += 1
                        self._raise(
                            record,
                            XERO_REJECTED,
                            f"Xero rejected {record.label}: {'; '.join(result.errors)}",
                            {"validation_errors": result.errors, "natural_key": dict(record.natural_key)},
                            ledger,
                        )

    def _save(
        self, endpoint: str, target: Target, bodies: list[dict[str, Any]], method: str, key: str
    ) -> list[ElementResult]:
        """One batch. Tracking options are all-or-nothing in Xero (400 when one is bad): the bad ones are
        reported and the good ones sent again."""
        try:
            return self.writer.save(endpoint, target, bodies, method=method, idempotency_key=key)
        except RequestRejected as rejected:
            if target.target_type != "TrackingOptions" or not isinstance(rejected.body, dict):
                raise
            bad = {
                str(e.get("Name", "")).lower(): [v.get("Message", "") for v in e["ValidationErrors"]]
                for e in rejected.body.get("Elements") or []
                if e.get("ValidationErrors")
            }
            if not bad:
                raise
            good = [b for b in bodies if str(b.get("Name", "")).lower() not in bad]
            saved = iter(self._save(endpoint, target, good, method, key) if good else [])
            return [
                ElementResult(i, "ERROR", body, bad[name], [])
                if (name := str(body.get("Name", "")).lower()) in bad
                else replace(next(saved), index=i)
                for i, body in enumerate(bodies)
            ]

    def _crosswalk_of(self, record: Outgoing) -> Crosswalk:
        return _crosswalk(record.source_type, record.target_type)

    def _remember(self, ledger: Ledger, target: Target, record: Outgoing, element: dict) -> None:
        """id_map gets the Xero id, the payload hash and Xero's UpdatedDateUTC; old problems close."""
        closes = (XERO_REJECTED, EDITED_IN_XERO, *_HELD_BY_TYPE.get(target.target_type, ()))
        self._keep(record, str(element[target.id_field]), updated_at(element), closes, ledger)

    def _hold_for_category(self, crosswalk: Crosswalk, problem: str, held: int, counts: TypeCounts) -> None:
        """One exception on the category (not one per project) when Xero cannot take its options."""
        counts.held += held
        self.ledger.raise_problem(
            Problem(
                self.tenant,
                crosswalk.source_system,
                "tracking_category",
                self.tracking_category,
                XERO_REJECTED,
            ),
            source_label=f"Tracking category {self.tracking_category}",
            message=problem,
            details={"tracking_category": self.tracking_category, "options_held": held},
        )
