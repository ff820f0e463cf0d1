"""Xero's webhooks (``../shared/reference/xero-webhooks.yaml``): signed deliveries of contact and invoice
events to the one subscription of the app, after it passed intent-to-receive.

The payload is ``{events, firstEventSequence, lastEventSequence, entropy}``, signed with HMAC-SHA256 over the
raw body with the webhook key, base64, in ``x-xero-signature``. Intent-to-receive: Xero sends a correctly
signed empty payload (the receiver must answer 200) and a wrongly signed one (it must answer 401), each
within 5 seconds; only then does it deliver events. A delivery not answered 200 is retried with the events
that came after it. Deliveries repeat, come out of order or get lost through fault injection (kinds
``repeat``, ``reorder``, ``drop`` on the pseudo path ``/webhooks/deliver/<category>``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.core.clock import SandboxClock
from sandbox.core.faults import DELIVERY_PATH, FaultInjector

CATEGORIES = {"Contacts": ("CONTACT", "ContactID"), "Invoices": ("INVOICE", "InvoiceID")}
ANSWER_SECONDS = 5.0
API_BASE = "https://api.xero.com/api.xro/2.0"


def sign(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def new_key() -> str:
    """A webhook key as Xero's developer portal shows one: 64 random base64 characters."""
    return base64.b64encode(os.urandom(48)).decode()


@dataclass
class XeroWebhooks:
    """The app's subscription (URL, key, intent-to-receive status) and its queue of events."""

    clock: SandboxClock
    faults: FaultInjector
    url: str | None = None
    key: str | None = None
    status: str = "NONE"  # NONE | OK | INTENT_TO_RECEIVE_FAILED
    queue: list[dict[str, Any]] = field(default_factory=list)
    sequence: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)  # every delivery attempt: status, events
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def subscribe(self, url: str, key: str | None = None) -> str:
        """Set the delivery URL (a new key unless given) and run intent-to-receive; returns the status."""
        with self._lock:
            self.url, self.key, self.queue = url, key or new_key(), []
            empty = self._payload([])
            good = self._post(empty, sign(self.key, empty))
            bad = self._post(empty, sign(new_key(), empty))
            self.status = "OK" if (good, bad) == (200, 401) else "INTENT_TO_RECEIVE_FAILED"
            return self.status

    def changed(self, tenant_id: str, collection: str, record: dict[str, Any], created: bool) -> None:
        if collection not in CATEGORIES or self.status != "OK":
            return
        category, id_field = CATEGORIES[collection]
        with self._lock:
            self.sequence += 1
            self.queue.append(
                {
                    "resourceUrl": f"{API_BASE}/{collection}/{record[id_field]}",
                    "resourceId": record[id_field],
                    "eventDateUtc": self.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                    "eventType": "CREATE" if created else "UPDATE",
                    "eventCategory": category,
                    "tenantId": tenant_id,
                    "tenantType": "ORGANISATION",
                    "_sequence": self.sequence,
                }
            )

    def deliver_due(self) -> int:
        """Send the queued events in one signed delivery (faults applied); returns the events answered 200."""
        with self._lock:
            if not self.queue or self.url is None or self.key is None:
                return 0
            batch, held, lost = [], [], 0
            for event in self.queue:
                rule = self.faults.take("POST", f"{DELIVERY_PATH}{event['eventCategory']}")
                kind = rule.kind if rule else None
                if kind == "drop":
                    lost += 1
                elif kind == "reorder":
                    held.append(event)
                else:
                    batch += [event, event] if kind == "repeat" else [event]
            batch += held
            body = self._payload(batch)
            status = self._post(body, sign(self.key, body)) if batch else 200
            self.sent.append({"status": status, "events": len(batch), "lost": lost})
            if status == 200:
                self.queue = []
                return len(batch)
            return 0

    def _payload(self, events: list[dict[str, Any]]) -> bytes:
        numbers = [e["_sequence"] for e in events] or [max(self.sequence, 1)]
        public = [{k: v for k, v in e.items() if not k.startswith("_")} for e in events]
        return json.dumps(
            {
                "events": public,
                "firstEventSequence": min(numbers),
                "lastEventSequence": max(numbers),
                "entropy": base64.b32encode(os.urandom(10)).decode(),
            }
        ).encode()

    def _post(self, body: bytes, signature: str) -> int | None:
        assert self.url is not None
        headers = {"Content-Type": "application/json", "x-xero-signature": signature}
        try:
            return httpx.post(self.url, content=body, headers=headers, timeout=ANSWER_SECONDS).status_code
        except httpx.HTTPError:
            return None
