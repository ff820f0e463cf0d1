"""The target-writer port for Procore: every write the Procore loader makes goes through one of these.

``ProcoreApiWriter`` sends it (sync actions, one POST / PATCH per record where Procore has no sync action,
DELETE for a reversal); a dry run gets ``RecordingProcoreWriter``, which sends nothing, keeps what it
would have sent and learns no Procore id (its answers name no records), as a dry run always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from procore_xero.clients import ProcoreClient, SyncResult
from procore_xero.clients.errors import RequestRejected, ServiceUnavailable
from procore_xero.to_procore.commitments import post_commitments
from procore_xero.to_procore.direct_costs import post_direct_costs


@dataclass(frozen=True)
class ProcoreTarget:
    """Where one resource's writes go; ``{project_id}`` / ``{id}`` are filled per call.

    A resource without a sync action (``sync_path`` None: payments issued) is created one POST per record
    under ``wrapper``, with ``top_level`` fields beside it (not inside) as Procore asks; a POST whose answer
    was lost is found again by its ``origin_id`` before anything is sent twice. ``delete_path`` (default
    ``item_path``) may also need ``{contract_id}``.
    """

    sync_path: str | None
    item_path: str
    project_scoped: bool = True
    list_path: str | None = None
    wrapper: str | None = None
    top_level: tuple[str, ...] = ()
    delete_path: str | None = None


PROCORE_TARGETS: dict[str, ProcoreTarget] = {
    "vendors": ProcoreTarget("/rest/v1.0/vendors/sync", "/rest/v1.0/vendors/{id}", project_scoped=False),
    "contract_payments": ProcoreTarget(
        None,
        "/rest/v1.0/contract_payments/{id}",
        list_path="/rest/v1.0/contract_payments",
        wrapper="contract_payment",
        top_level=("contract_id",),
        delete_path="/rest/v1.0/contract_payments/{id}?project_id={project_id}&contract_id={contract_id}",
    ),
    "direct_costs": ProcoreTarget(
        "/rest/v1.0/projects/{project_id}/direct_costs/sync",
        "/rest/v1.0/projects/{project_id}/direct_costs/{id}",
    ),
    "purchase_order_contracts": ProcoreTarget(
        "/rest/v1.0/purchase_order_contracts/sync",
        "/rest/v1.0/purchase_order_contracts/{id}?project_id={project_id}",
    ),
}


class ProcoreWriter(Protocol):
    def sync(
        self, target_type: str, project_id: str | None, records: list[dict[str, Any]], company_id: int
    ) -> SyncResult:
        """One sync action over ``records`` of one project (or the company's vendors)."""
        ...

    def one(
        self, target: ProcoreTarget, body: Mapping[str, Any], origin_id: str, procore_id: str | None
    ) -> SyncResult:
        """Create (``procore_id`` None) or update one record of a resource without a sync action;
        ``RequestRejected`` when Procore refuses it."""
        ...

    def delete(self, path: str) -> None:
        """Delete one record (``RequestRejected`` when Procore refuses; 404 included)."""
        ...


@dataclass(frozen=True)
class ProcoreApiWriter:
    client: ProcoreClient

    def sync(
        self, target_type: str, project_id: str | None, records: list[dict[str, Any]], company_id: int
    ) -> SyncResult:
        target = PROCORE_TARGETS[target_type]
        body = (
            {"project_id": int(project_id)}
            if target.project_scoped and project_id
            else {"company_id": company_id}  # the company vendor sync requires it
        )
        path = str(target.sync_path).format(project_id=project_id)
        if target_type == "purchase_order_contracts":
            return post_commitments(self.client, path, int(project_id or 0), records)
        if target_type == "direct_costs":
            return post_direct_costs(self.client, path, int(project_id or 0), records)
        return self.client.sync(path, records, body=body, idempotent=True)

    def one(
        self, target: ProcoreTarget, body: Mapping[str, Any], origin_id: str, procore_id: str | None
    ) -> SyncResult:
        if procore_id is None:
            return SyncResult(entities=[self._create(target, body, origin_id)])
        return SyncResult(entities=[self._update(target, body, procore_id)])

    def delete(self, path: str) -> None:
        self.client.send("DELETE", path, None, idempotent=True)

    def _create(self, target: ProcoreTarget, body: Mapping[str, Any], origin_id: str) -> Any:
        """POST one record. If an earlier attempt made it — its answer was lost, or the worker died before
        recording it, so Procore now says the ``origin_id`` is taken — the record is found again by its
        ``origin_id`` (and brought up to date) instead of being sent twice or held forever."""
        try:
            return self.client.send("POST", str(target.list_path), body)
        except ServiceUnavailable as error:
            entity = self._by_origin(target, body, origin_id) if error.maybe_applied else None
            if entity is None:
                raise
            return entity
        except RequestRejected as error:
            errors = refusal(error)
            taken = isinstance(errors, dict) and "already been taken" in str(errors.get("origin_id", ""))
            entity = self._by_origin(target, body, origin_id) if taken else None
            if entity is None:
                raise
            return self._update(target, body, str(entity["id"]))

    def _update(self, target: ProcoreTarget, body: Mapping[str, Any], procore_id: str) -> Any:
        path = target.item_path.format(id=procore_id, project_id=body["project_id"])
        return self.client.send("PATCH", path, body, idempotent=True)

    def _by_origin(self, target: ProcoreTarget, body: Mapping[str, Any], origin_id: str) -> Any:
        """The record a write whose answer was lost created, if it did: the list under the same keys
        (a payment's commitment), every page, matched on ``origin_id`` here (no filter is published)."""
        params = {
            "project_id": body["project_id"],
            **{name: body[name] for name in target.top_level if name in body},
        }
        for page in self.client.pages(str(target.list_path), params):
            found = next((record for record in page if str(record.get("origin_id")) == origin_id), None)
            if found is not None:
                return found
        return None


@dataclass
class RecordingProcoreWriter:
    """``sent``: (what, where, how many records) of every write a real run would have made, in order."""

    sent: list[tuple[str, str, int]] = field(default_factory=list)

    def sync(
        self, target_type: str, project_id: str | None, records: list[dict[str, Any]], company_id: int
    ) -> SyncResult:
        self.sent.append(("sync", f"{target_type} project {project_id}", len(records)))
        return SyncResult()

    def one(
        self, target: ProcoreTarget, body: Mapping[str, Any], origin_id: str, procore_id: str | None
    ) -> SyncResult:
        self.sent.append(("POST" if procore_id is None else "PATCH", str(target.list_path), 1))
        return SyncResult()

    def delete(self, path: str) -> None:
        self.sent.append(("DELETE", path, 1))


def refusal(error: RequestRejected) -> Any:
    """Procore's reasons for a refusal: ``{"field": ["why"]}``, a message, or None."""
    return error.body.get("errors") if isinstance(error.body, dict) else None
