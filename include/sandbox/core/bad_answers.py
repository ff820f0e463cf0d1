"""Wrong answers to a well-formed HTTP exchange (fault kinds ``non_json``, ``truncated``, ``huge_page``):
what a client must recognise as unusable rather than take for data."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROXY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Service maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1><p>The API is down for maintenance.</p></body></html>"
)
MAX_PAGES = 10_000  # a huge page gathers at most this many pages


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def captured(app: ASGIApp, scope: Scope, receive: Receive = _no_body) -> tuple[int, list, bytes]:
    """Run the call and keep its answer: status, headers, body."""
    start: dict[str, Any] = {"status": 0, "headers": []}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return start["status"], list(start["headers"]), b"".join(chunks)


async def answer(send: Send, status: int, headers: list, body: bytes) -> None:
    """Send ``body`` with ``headers`` whose ``content-length`` matches it."""
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*kept, (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def non_json(send: Send) -> None:
    """200 with an HTML page: the call never reached the API."""
    await answer(send, 200, [(b"content-type", b"text/html; charset=utf-8")], PROXY_PAGE)


async def truncated(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """The call is processed; its answer loses the second half of its body."""
    status, headers, body = await captured(app, scope, receive)
    await answer(send, status, headers, body[: len(body) // 2])


def _records(body: Any) -> list | None:
    """The list of records in a list answer: Procore's bare list, Xero's one list in an object."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return next((value for value in body.values() if isinstance(value, list)), None)
    return None


def _at_page(scope: Scope, number: int) -> Scope:
    query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode()) if k != "page"]
    return {**scope, "query_string": urlencode([*query, ("page", str(number))]).encode()}


async def huge_page(app: ASGIApp, scope: Scope, send: Send) -> None:
    """Every record from the requested page on in one answer (headers and envelope of the last page read)."""
    first = int(dict(parse_qsl(scope["query_string"].decode())).get("page") or 1)
    status, headers, body = await captured(app, _at_page(scope, first))
    document = json.loads(body) if status == 200 and body else None
    gathered = _records(document)
    if gathered is None:  # not a list answer: pass it on as it is
        await answer(send, status, headers, body)
        return
    gathered = list(gathered)
    for number in range(first + 1, first + MAX_PAGES):
        status, next_headers, next_body = await captured(app, _at_page(scope, number))
        records = _records(json.loads(next_body)) if status == 200 and next_body else None
        if not records:
            break
        gathered += records
        headers = next_headers
    if isinstance(document, dict):
        key = next(k for k, v in document.items() if isinstance(v, list))
        document = {**document, key: gathered}
    else:
        document = gathered
    headers = [(k, v) for k, v in headers if k.lower() != b"link"]  # nothing follows: it is all here
    await answer(send, 200, headers, json.dumps(document).encode())
