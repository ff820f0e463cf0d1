"""Register the sync's Procore hook and triggers through the published Webhooks API, idempotently: list
what exists, create only what is missing, correct a hook whose Authorization header has drifted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from procore_xero.clients import ProcoreClient
from procore_xero.events.verify import procore_header

HOOKS = "/rest/v1.0/webhooks/hooks"
NAMESPACE = "pxsync"
API_VERSION = "v2"


@dataclass(frozen=True)
class Registered:
    hook_id: int
    hook_created: bool
    hook_updated: bool
    triggers_created: int
    triggers_existing: int

    def summary(self) -> dict[str, Any]:
        return {
            "hook_id": self.hook_id,
            "hook_created": self.hook_created,
            "hook_updated": self.hook_updated,
            "triggers_created": self.triggers_created,
            "triggers_existing": self.triggers_existing,
        }


def ensure_procore_hook(
    client: ProcoreClient,
    destination_url: str,
    token: str,
    triggers: Mapping[str, Sequence[str]],
) -> Registered:
    """One company hook (namespace ``pxsync``) to ``destination_url`` with ``Authorization: Bearer token``
    and a trigger per (resource name, event type) in ``triggers``. A company hook covers every project."""
    if not token:
        raise ValueError("the Procore webhook token is empty: deliveries could not be told from forgeries")
    scope = {"company_id": client.company_id}
    headers = {"Authorization": procore_header(token)}
    hooks = client.get(HOOKS, {**scope, "namespace": NAMESPACE}) or []
    hook = next((h for h in hooks if h.get("destination_url") == destination_url), None)
    created = updated = False
    if hook is None:
        body = {"api_version": API_VERSION, "namespace": NAMESPACE, "destination_url": destination_url}
        hook = client.send("POST", HOOKS, {**scope, "hook": {**body, "destination_headers": headers}})
        created = True
    elif (hook.get("destination_headers") or {}).get("Authorization") != headers["Authorization"]:
        hook = client.send(
            "PATCH", f"{HOOKS}/{hook['id']}", {**scope, "hook": {"destination_headers": headers}}
        )
        updated = True
    path = f"{HOOKS}/{hook['id']}/triggers"
    existing = {(t["resource_name"], t["event_type"].lower()) for t in client.get(path, scope) or []}
    wanted = [(name, event) for name, events in triggers.items() for event in events]
    missing = [pair for pair in wanted if pair not in existing]
    for name, event in missing:
        client.send(
            "POST",
            path,
            {**scope, "api_version": API_VERSION, "trigger": {"resource_name": name, "event_type": event}},
        )
    return Registered(hook["id"], created, updated, len(missing), len(wanted) - len(missing))
