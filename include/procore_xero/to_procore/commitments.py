"""Commitments made from Xero POs: Procore takes a schedule of values only while a commitment is a draft,
one line per call, so a commitment is synced (new ones are drafts), given its lines, then approved. Lines
of an approved commitment no longer change: a Xero PO edited after that needs a change order in Procore.

Safe to repeat after a failure anywhere: the sync action upserts by ``origin_id``, a draft gets only the
lines it still lacks, and approving an approved commitment changes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from procore_xero.clients import ProcoreClient, SyncResult

DRAFT, APPROVED = "Draft", "Approved"
SOV_PATH = "/rest/v1.0/purchase_order_contracts/{id}/line_items"


def post_commitments(
    client: ProcoreClient, sync_path: str, project_id: int, records: Sequence[Mapping[str, Any]]
) -> SyncResult:
    """``records``: sync-action records with ``line_items``; the answer is the final sync's entities plus
    every error met on the way (each error carries the record's ``origin_id``)."""
    body = {"project_id": project_id}
    lines_of = {str(r["origin_id"]): list(r.get("line_items") or []) for r in records}
    heads = [{k: v for k, v in r.items() if k != "line_items"} for r in records]  # new ones start as drafts
    drafted = client.sync(sync_path, heads, body=body, idempotent=True)
    approvals = []
    for entity in drafted.entities:
        if entity.get("status") == DRAFT:
            _give_lines(client, entity["id"], project_id, lines_of.get(str(entity.get("origin_id")), []))
        approvals.append({"id": entity["id"], "status": APPROVED})
    approved = client.sync(sync_path, approvals, body=body, idempotent=True)
    origin_of = {e["id"]: e.get("origin_id") for e in drafted.entities}
    errors = drafted.errors + [{**e, "origin_id": origin_of.get(e.get("id"))} for e in approved.errors]
    return SyncResult(entities=approved.entities, errors=errors)


def _give_lines(
    client: ProcoreClient, commitment_id: int, project_id: int, lines: list[Mapping[str, Any]]
) -> None:
    """Post the lines the commitment lacks: lines go in order, so an interrupted attempt left a prefix."""
    path = SOV_PATH.format(id=commitment_id)
    present = len(client.get(path, {"project_id": project_id}) or [])
    for line in lines[present:]:
        client.send("POST", path, {"project_id": project_id, "line_item": _published_line(line)})


def _published_line(line: Mapping[str, Any]) -> dict[str, Any]:
    """Procore publishes a line item's amount, quantity and unit cost as strings: exact decimals as text."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in line.items()}
