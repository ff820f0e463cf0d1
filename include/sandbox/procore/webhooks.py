"""Procore's webhooks: hooks and triggers per company or project, and the deliveries they cause.

A change to a record whose resource can trigger (``RESOURCE_NAMES``, from the published lists the reference
README cites) becomes one event per matching trigger, queued for its hook. ``deliver_due`` POSTs the queue
to each hook's ``destination_url`` with its ``destination_headers`` and logs every attempt as a delivery
(outcome ok | retried | failed | discarded). As webhooks.md documents: a failed delivery pauses the hook's
queue and is retried with exponential backoff from 1 second up to 1 hour; after 24 hours the queue is
flushed as failed. Deliveries repeat, arrive out of order or get lost through the sandbox's fault injection
(kinds ``repeat``, ``reorder``, ``drop`` on the pseudo path ``/webhooks/deliver/<resource name>``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.core.clock import SandboxClock
from sandbox.core.faults import DELIVERY_PATH, FaultInjector
from sandbox.procore.store import Store, iso

# Collection -> the webhook resource name its changes trigger. Requisitions (subcontractor invoices),
# commitment change orders and budget views are on no published list: they send nothing.
RESOURCE_NAMES: dict[str, str] = {
    "projects": "Projects",
    "project_stages": "Project Stages",
    "vendors": "Company Vendors",
    "line_item_types": "Line Item Types",
    "cost_codes": "Cost Codes",
    "budget_line_items": "Budget Line Items",
    "work_order_contracts": "Work Order Contracts",
    "purchase_order_contracts": "Purchase Order Contracts",
    "contract_payments": "Contract Payments",
    "prime_contracts": "Prime Contracts",
    "prime_contract_line_items": "Prime Contract Line Items",
    "payment_applications": "Payment Applications",
    "direct_costs": "Direct Costs",
}
LINE_RESOURCE = {"WorkOrderContract": "Work Order Contract Line Items"}  # SOV lines by holder type
COMMITMENT_LINES = "Purchase Order Contract Line Items"
# Resources whose event types are not all published (the sandbox dump in the reference README).
EXCEPT: dict[str, tuple[str, ...]] = {"Projects": ("delete",), "Company Vendors": ("delete",)}
TRIGGER_NAMES = frozenset({*RESOURCE_NAMES.values(), COMMITMENT_LINES, *LINE_RESOURCE.values()})
EVENT_TYPES = ("create", "update", "delete")
FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS, GIVE_UP_SECONDS = 1.0, 3600.0, 24 * 3600.0
DELIVERY_TIMEOUT_SECONDS = 5.0  # Procore's timeout once connected (webhooks.md)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(moment_ms: int) -> str:
    """A ULID: 48-bit millisecond time then 80 random bits, Crockford base32, 26 characters."""
    value = (moment_ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def resource_name(collection: str, record: dict[str, Any]) -> str | None:
    if collection == "commitment_line_items":
        holder = (record.get("holder") or {}).get("holder_type")
        return LINE_RESOURCE.get(holder or "", COMMITMENT_LINES)
    return RESOURCE_NAMES.get(collection)


@dataclass
class Queued:
    """One event waiting for its hook's endpoint; ``due`` on the sandbox clock's epoch seconds."""

    hook_id: int
    event: dict[str, Any]
    first_tried: float | None = None
    attempts: int = 0
    due: float = 0.0
    held: bool = False  # a ``reorder`` fault: waits for the next event of its hook


@dataclass
class Webhooks:
    """Hooks, triggers, the delivery queue and log of one emulator."""

    store: Store
    clock: SandboxClock
    faults: FaultInjector
    hooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    triggers: dict[int, dict[str, Any]] = field(default_factory=dict)
    deliveries: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    queue: list[Queued] = field(default_factory=list)
    _next_id: int = 1
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.store.listeners.append(self.changed)

    def new_id(self) -> int:
        with self._lock:
            self._next_id += 1
            return self._next_id - 1

    def changed(self, collection: str, record: dict[str, Any], event_type: str) -> None:
        """A record was created, updated or deleted: an event for every trigger that names it."""
        name = resource_name(collection, record)
        if name is None or event_type in EXCEPT.get(name, ()):
            return
        company_id = self.store.company_of(collection, record)
        project_id = self.store.project_of(collection, record)
        now = self.clock.time()
        with self._lock:
            for trigger in list(self.triggers.values()):
                hook = self.hooks.get(trigger["webhook_hook_id"])
                if hook is None or trigger["resource_name"] != name:
                    continue
                if trigger["event_type"] != event_type.upper() or not _in_hook_scope(
                    hook, company_id, project_id
                ):
                    continue
                event = {
                    "id": self.new_id(),
                    "ulid": ulid(int(now * 1000)),
                    "timestamp": iso(self.clock.now()),
                    "api_version": hook["api_version"],
                    "company_id": company_id,
                    "project_id": project_id,
                    "resource_name": name,
                    "resource_id": record["id"],
                    "event_type": event_type,
                    "user_id": None,
                    "metadata": {"source_company_id": company_id, "source_project_id": project_id},
                }
                self.queue.append(Queued(hook["id"], event, due=now))

    def deliver_due(self) -> int:
        """POST every due event (faults applied); returns how many were answered 2xx. A ``reorder``ed event
        waits in the queue until an event queued after it for the same hook was delivered."""
        with self._lock:
            sent = 0
            paused: set[int] = set()
            released: list[Queued] = []
            now = self.clock.time()
            for item in list(self.queue):
                if item.hook_id in paused or item.due > now or item.held or item not in self.queue:
                    continue
                rule = self.faults.take("POST", f"{DELIVERY_PATH}{item.event['resource_name']}")
                if rule is not None and rule.kind == "drop":
                    self.queue.remove(item)
                    self._log(item, "discarded", None, "lost in transit (sandbox fault)")
                    continue
                if rule is not None and rule.kind == "reorder":
                    item.held = True
                    continue
                ok = self._attempt(item)
                if ok and rule is not None and rule.kind == "repeat":
                    self._attempt(item)
                sent += ok
                if not ok:
                    paused.add(item.hook_id)
                    continue
                for waiting in [q for q in self.queue if q.held and q.hook_id == item.hook_id]:
                    waiting.held = False
                    released.append(waiting)
            return sent + sum(self._attempt(item) for item in released)

    def _attempt(self, item: Queued) -> bool:
        hook = self.hooks.get(item.hook_id)
        if item in self.queue:
            self.queue.remove(item)
        if hook is None:
            return False
        now = self.clock.time()
        item.first_tried = now if item.first_tried is None else item.first_tried
        item.attempts += 1
        headers = {"Content-Type": "application/json", **(hook.get("destination_headers") or {})}
        started = iso(self.clock.now())
        try:
            answer = httpx.post(
                hook["destination_url"], json=item.event, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS
            )
            status, error = answer.status_code, None
            body = answer.text[:2000]
            answer_headers = dict(answer.headers)
        except httpx.HTTPError as exc:
            status, error, body, answer_headers = None, str(exc) or type(exc).__name__, None, {}
        ok = status is not None and 200 <= status < 300
        if not ok and now - item.first_tried < GIVE_UP_SECONDS:
            backoff = min(FIRST_RETRY_SECONDS * 2 ** (item.attempts - 1), MAX_RETRY_SECONDS)
            item.due = now + backoff
            self.queue.insert(0, item)
        outcome = "ok" if ok else ("retried" if item in self.queue else "failed")
        self._log(item, outcome, status, error, body, answer_headers, started)
        return ok

    def _log(
        self,
        item: Queued,
        outcome: str,
        status: int | None,
        error: str | None,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        started: str | None = None,
    ) -> None:
        self.deliveries.setdefault(item.hook_id, []).append(
            {
                "id": self.new_id(),
                "event_id": item.event["id"],
                "event": item.event,
                "outcome": outcome,
                "response_status": status,
                "response_error": error,
                "response_body": body,
                "response_headers": headers or {},
                "started_at": started or iso(self.clock.now()),
                "completed_at": iso(self.clock.now()),
            }
        )


def _in_hook_scope(hook: dict[str, Any], company_id: int | None, project_id: int | None) -> bool:
    if hook.get("owned_by_project_id") is not None:
        return project_id == hook["owned_by_project_id"]
    return company_id == hook["owned_by_company_id"]
