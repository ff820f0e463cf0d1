"""Create, update, delete and sync: ids, timestamps, origin_id uniqueness and ownership, record locks."""

from __future__ import annotations

from typing import Any

from sandbox.procore.builders import LOCKED_COMMITMENT_STATUSES
from sandbox.procore.context import WriteContext
from sandbox.procore.errors import ProcoreError, RecordInvalid
from sandbox.procore.resources import Resource

MAX_SYNC_RECORDS = 1000
COMMITMENTS = ("work_order_contracts", "purchase_order_contracts")


def in_scope(w: WriteContext, res: Resource, record: dict[str, Any] | None) -> bool:
    """Whether the caller may see this record here: same company, same project, not deleted."""
    return (
        record is not None
        and w.store.company_of(res.collection, record) == w.call.company_id
        and (res.scope == "company" or w.store.project_of(res.collection, record) == w.project_id)
    )


def _check_owner(w: WriteContext, res: Resource, existing: dict[str, Any]) -> None:
    """A record whose origin_id another integration set is read-only for everyone else."""
    if existing.get("origin_id") is None:
        return
    owner = w.store.origin_owner.get((res.collection, existing["id"]))
    if owner != w.call.client_id:
        raise RecordInvalid.field(
            "origin_id",
            f"{res.label} {existing['id']} is synced by another integration (origin_id "
            f"{existing['origin_id']!r}) and cannot be changed by this app",
        )


def _check_origin_free(
    w: WriteContext, res: Resource, origin_id: str, existing: dict[str, Any] | None
) -> None:
    clash = w.store.find_origin(res.collection, w.call.company_id, origin_id)
    if clash is not None and (existing is None or clash["id"] != existing["id"]):
        project_id = w.store.project_of(res.collection, clash)
        where = f" in project {project_id}" if project_id is not None else ""
        raise RecordInvalid.field(
            "origin_id",
            f"has already been taken: {res.label} {clash['id']}{where} carries origin_id {origin_id!r}",
        )


def save(
    w: WriteContext, res: Resource, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """Create (``existing`` None) or update one record; raise ``RecordInvalid`` with the reason if refused."""
    assert res.build is not None
    if existing is not None:
        _check_owner(w, res, existing)
    attrs = {k: v for k, v in attrs.items() if k != "id"}
    if attrs.get("origin_id") not in (None, ""):
        if not isinstance(attrs["origin_id"], str | int) or isinstance(attrs["origin_id"], bool):
            raise RecordInvalid.field("origin_id", "must be a string")
        attrs["origin_id"] = origin_id = str(attrs["origin_id"])
        _check_origin_free(w, res, origin_id, existing)
    elif "origin_id" in attrs:
        attrs["origin_id"] = None
    built = w.store.new_id(res.collection) if existing is None else existing["id"]
    record = {"id": built, **{k: v for k, v in res.build(w, attrs, existing).items() if k != "id"}}
    if res.timestamps:
        record["created_at"] = existing["created_at"] if existing else w.now
        record["updated_at"] = w.now
    w.store.put(res.collection, record, w.call.company_id, w.project_id if res.scope == "project" else None)
    key = (res.collection, record["id"])
    if record.get("origin_id") is None:
        w.store.origin_owner.pop(key, None)
    elif existing is None or existing.get("origin_id") != record["origin_id"]:
        w.store.origin_owner[key] = w.call.client_id
    return record


def delete(w: WriteContext, res: Resource, existing: dict[str, Any]) -> dict[str, Any]:
    """Procore keeps deleted records: they disappear from lists unless ``filters[include_deleted]`` asks."""
    _check_owner(w, res, existing)
    if res.collection in COMMITMENTS and existing["status"] in LOCKED_COMMITMENT_STATUSES:
        raise RecordInvalid.field("status", f"a commitment that is {existing['status']} cannot be deleted")
    existing["deleted_at"] = w.now
    existing["updated_at"] = w.now
    w.store.touch(res.collection, existing, "delete")
    return existing


def sync(w: WriteContext, res: Resource, updates: Any) -> dict[str, list[dict[str, Any]]]:
    """``PATCH …/sync``: upsert each record by ``id`` or ``origin_id``; always 200, entities and errors."""
    if not isinstance(updates, list):
        raise ProcoreError(400, "param is missing or the value is empty: updates (a list of records)")
    if len(updates) > MAX_SYNC_RECORDS:
        raise ProcoreError(
            413, f"a sync call takes at most {MAX_SYNC_RECORDS} records; this one sent {len(updates)}"
        )
    entities: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for attrs in updates:
        try:
            if not isinstance(attrs, dict):
                raise RecordInvalid.field("base", f"each update must be an object, got {attrs!r}")
            entities.append(save(w, res, attrs, _sync_target(w, res, attrs)))
        except RecordInvalid as exc:
            errors.append({**(attrs if isinstance(attrs, dict) else {"value": attrs}), "errors": exc.errors})
    return {"entities": entities, "errors": errors}


def _sync_target(w: WriteContext, res: Resource, attrs: dict[str, Any]) -> dict[str, Any] | None:
    """The record an update addresses: by id (must exist), else by origin_id (else a new record)."""
    if attrs.get("id") is not None:
        record = w.store.get(res.collection, attrs["id"]) if isinstance(attrs["id"], int) else None
        if not in_scope(w, res, record) or record is None or record.get("deleted_at"):
            raise RecordInvalid.field("id", "Entity with this ID not found")
        return record
    if attrs.get("origin_id") not in (None, ""):
        record = w.store.find_origin(res.collection, w.call.company_id, str(attrs["origin_id"]))
        owner = w.store.project_of(res.collection, record) if record is not None else None
        if record is not None and res.scope == "project" and owner != w.project_id:
            raise RecordInvalid.field(
                "origin_id", f"has already been taken by {res.label} {record['id']} in project {owner}"
            )
        return record
    return None
