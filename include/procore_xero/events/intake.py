"""The webhook intake: a small HTTP app that answers Procore and Xero within their 5 seconds.

It only verifies, validates, de-duplicates and stores (``feed_deliveries``); reading the changed records is
the extract's job, started by Airflow when new rows appear. A refused delivery (unsigned, wrongly signed,
malformed, too large) is answered 401 / 400 / 413 and logged with why; nothing it carried is stored.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import Engine
from starlette.responses import JSONResponse, Response

from procore_xero.events.store import procore_delivery, store_delivery, xero_delivery
from procore_xero.events.verify import procore_authorized, xero_signed

log = logging.getLogger("pxsync.intake")
MAX_BODY_BYTES = 1_000_000
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
PROCORE_EVENT_TYPES = ("create", "update", "delete")
XERO_FIELDS = ("resourceUrl", "resourceId", "eventDateUtc", "eventType", "eventCategory", "tenantId")


class Refused(Exception):
    """A delivery the intake will not store: the status to answer and why (logged, and in the answer)."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status, self.why = status, why


def create_intake_app(engine: Engine, *, procore_token: str, xero_key: str) -> FastAPI:
    """``POST /procore``: one event object, ``Authorization: Bearer <procore_token>``; ``POST /xero``: a
    signed batch (an empty one is intent-to-receive: 200 when signed with ``xero_key``, else 401)."""
    app = FastAPI(title="pxsync webhook intake", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        peer = request.client.host if request.client else "?"
        log.warning("refused %s delivery from %s: %s %s", request.url.path, peer, exc.status, exc.why)
        return JSONResponse({"error": exc.why}, status_code=exc.status)

    @app.post("/procore")
    async def procore(request: Request) -> Response:
        body = await _body(request)
        if not procore_authorized(request.headers.get("authorization"), procore_token):
            raise Refused(401, "the Authorization header is not the one this intake's hooks send")
        event = procore_event(_json(body))
        new = store_delivery(engine, procore_delivery(event))
        return JSONResponse({"stored": int(new), "duplicates": int(not new)})

    @app.post("/xero")
    async def xero(request: Request) -> Response:
        body = await _body(request)
        if not xero_signed(request.headers.get("x-xero-signature"), xero_key, body):
            raise Refused(401, "x-xero-signature does not match the body signed with the webhook key")
        events = xero_events(_json(body))
        stored = sum(store_delivery(engine, xero_delivery(event)) for event in events)
        return JSONResponse({"stored": stored, "duplicates": len(events) - stored})

    return app


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(413, f"the body is {declared} bytes; at most {MAX_BODY_BYTES} are accepted")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Refused(413, f"the body is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted")
    return body


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, f"the body is not JSON: {exc}") from None


def procore_event(event: Any) -> dict[str, Any]:
    """Procore's event object, checked field by field (webhooks.md: ``ulid``, ``company_id``, …)."""
    if not isinstance(event, dict):
        raise Refused(400, "the body must be one Procore event object")
    ulid = event.get("ulid")
    if not isinstance(ulid, str) or not ULID.match(ulid):
        raise Refused(400, f"event ulid: a 26-character ULID is required, got {ulid!r}")
    where = f"event {ulid}"
    for name in ("company_id", "resource_id"):
        if not _is_int(event.get(name)):
            raise Refused(400, f"{where}: {name} must be an integer id, got {event.get(name)!r}")
    if event.get("project_id") is not None and not _is_int(event["project_id"]):
        raise Refused(400, f"{where}: project_id must be an integer id or null, got {event['project_id']!r}")
    if not isinstance(event.get("resource_name"), str) or not event["resource_name"]:
        raise Refused(400, f"{where}: resource_name is required")
    if event.get("event_type") not in PROCORE_EVENT_TYPES:
        raise Refused(
            400, f"{where}: event_type must be create, update or delete, got {event.get('event_type')!r}"
        )
    return event


def xero_events(payload: Any) -> list[dict[str, Any]]:
    """The events of a Xero delivery, each with the fields the published schema requires."""
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise Refused(400, "the body must be a Xero webhook payload with an events list")
    for index, event in enumerate(payload["events"]):
        missing = [f for f in XERO_FIELDS if not isinstance(event, dict) or not isinstance(event.get(f), str)]
        if missing:
            raise Refused(400, f"events[{index}]: {', '.join(missing)} required (strings)")
    return payload["events"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
