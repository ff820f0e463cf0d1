"""Documents the sync created that Xero no longer holds as it wrote them.

Voided or deleted there: the Xero extract stages the status (``VOIDED`` / ``DELETED``). Gone altogether:
the crosswalk names a record the extract has not seen although it has read that collection past the
time the sync wrote it (its watermark is later); a live read by id then confirms it, so a record merely
changed after the last extract is never taken for a lost one. Either way the crosswalk row is not trusted:
nothing is updated against it, and the Procore record waits for a person (``voided_in_xero`` /
``missing_in_xero``) unless the settings say to re-send voided documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select

from procore_xero.clients import XeroClient
from procore_xero.staging.dialect import chunks
from procore_xero.staging.engine import transaction
from procore_xero.staging.id_map import Mapping as IdMapping
from procore_xero.staging.keys import StagingKey, TenantKey
from procore_xero.staging.schema import staging_table
from procore_xero.staging.watermarks import get_watermark
from procore_xero.to_xero.conflicts import current_copies

VOIDED_IN_XERO = "voided_in_xero"
MISSING_IN_XERO = "missing_in_xero"
# Xero collection the loader writes -> the Xero extract's object type staging it.
STAGED_TYPES = {"Invoices": "invoices", "PurchaseOrders": "purchase_orders"}
VOID_STATUSES = frozenset({"VOIDED", "DELETED"})


@dataclass(frozen=True)
class Gone:
    """Why the crosswalk row is not trusted: ``reason`` and Xero's status when it has one."""

    reason: str
    xero_id: str
    status: str | None

    def message(self, label: str) -> str:
        if self.reason == VOIDED_IN_XERO:
            return (
                f"{label}: the sync created it in Xero, where it is now {self.status}; it is not re-sent "
                "(settings: resend_voided_in_xero). Approve to send it again as a new document."
            )
        return (
            f"{label}: the sync created Xero record {self.xero_id}, which Xero no longer holds; nothing is "
            "updated against it. Approve to send it again as a new document."
        )

    def details(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """What the queue and the drift report show: the Xero id and status, and the document's total
        (``values``, where the report reads the money a queued record holds back)."""
        return {
            "xero_id": self.xero_id,
            "xero_status": self.status or "not found",
            "values": {"total": str(document_total(payload))},
        }


def document_total(payload: Mapping[str, Any]) -> Decimal:
    """The total of a bill or PO payload: its lines' amounts (quantity × unit amount where none given)."""
    total = Decimal(0)
    for line in payload.get("LineItems") or []:
        amount = line.get("LineAmount")
        if amount is None:
            amount = Decimal(str(line.get("Quantity") or 1)) * Decimal(str(line.get("UnitAmount") or 0))
        total += Decimal(str(amount))
    return total.quantize(Decimal("0.01"))


def gone_in_xero(
    client: XeroClient, engine: Engine, tenant: TenantKey, target_type: str, links: Mapping[str, IdMapping]
) -> dict[str, Gone]:
    """source id -> ``Gone`` for the ``links`` (source id -> crosswalk row) whose Xero record is voided,
    deleted or missing."""
    object_type = STAGED_TYPES.get(target_type)
    if object_type is None or not links:
        return {}
    staged = _staged_statuses(engine, tenant, object_type, [link.target_id for link in links.values()])
    watermark = get_watermark(engine, object_type, StagingKey(tenant_id=tenant.tenant_id))
    gone: dict[str, Gone] = {}
    unseen: dict[str, str] = {}
    for source_id, link in links.items():
        status = staged.get(link.target_id.lower())
        if status in VOID_STATUSES:
            gone[source_id] = Gone(VOIDED_IN_XERO, link.target_id, status)
        elif status is None and _read_past(watermark, link):
            unseen[source_id] = link.target_id
    if unseen:
        copies = current_copies(client, target_type, unseen.values())
        for source_id, xero_id in unseen.items():
            copy = copies.get(xero_id.lower())
            status = str(copy.get("Status") or "").upper() if copy else None
            if copy is None:
                gone[source_id] = Gone(MISSING_IN_XERO, xero_id, None)
            elif status in VOID_STATUSES:
                gone[source_id] = Gone(VOIDED_IN_XERO, xero_id, status)
    return gone


def _staged_statuses(engine: Engine, tenant: TenantKey, object_type: str, ids: list[str]) -> dict[str, str]:
    """Xero id (lower case) -> its staged Status, for the ids staging holds."""
    table = staging_table("xero", object_type)
    wanted = sorted({i for i in ids} | {i.lower() for i in ids} | {i.upper() for i in ids})
    found: dict[str, str] = {}
    with transaction(engine) as connection:
        for chunk in chunks(connection, wanted, params_per_item=1):
            query = select(table.c.id, table.c.raw).where(
                table.c.tenant_id == tenant.tenant_id, table.c.id.in_(chunk)
            )
            for record_id, raw in connection.execute(query):
                status = raw.get("Status") if isinstance(raw, dict) else None
                found[str(record_id).lower()] = str(status or "").upper()
    return found


def _read_past(watermark: datetime | None, link: IdMapping) -> bool:
    """The extract has read this collection up to a time after the sync last wrote the record."""
    written = link.target_updated_at or link.synced_at
    if watermark is None or written is None:
        return False
    return _aware(watermark) > _aware(written)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
