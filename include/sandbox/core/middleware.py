"""ASGI middleware around each emulator: counts calls and injects armed faults."""

from __future__ import annotations

import asyncio
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.core import bad_answers
from sandbox.core.request_log import MAX_BODY_BYTES
from sandbox.core.service import SandboxService

ADMIN_PREFIX = "/_sandbox"


async def _drop_connection(send: Send) -> None:
    """Close the TCP connection without answering, as a lost response looks to the client."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:  # not served by uvicorn's protocol: break the response instead
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        raise ConnectionAbortedError("sandbox dropped the connection")
    transport.close()
    await asyncio.sleep(0.01)  # let the server notice the close before it tries to answer


class SandboxMiddleware:
    """Must wrap the app directly (outside Starlette's own middleware) so a dropped connection is real."""

    def __init__(self, app: ASGIApp, service: SandboxService) -> None:
        self.app = app
        self.service = service

    def _http_date(self) -> bytes:
        """The ``Date`` header on the sandbox clock, which clients may use to time rate-limit waits."""
        return formatdate(self.service.clock.time(), usegmt=True).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        status: dict[str, Any] = {"code": 0}
        body = bytearray()

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) <= MAX_BODY_BYTES:
                body.extend(message.get("body", b""))
            return message

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"date", self._http_date())]
            await send(message)

        try:
            rule = self.service.faults.take(method, path)
            if rule is None or rule.kind == "drop_after_write":
                if rule is None:
                    await self.app(scope, recording_receive, tracking_send)
                    return
                await self.app(scope, recording_receive, _discard)  # the write is applied, the answer is lost
                status["code"] = 0
                await _drop_connection(send)
            elif rule.kind == "drop":
                await _drop_connection(send)
            elif rule.kind == "non_json":
                await bad_answers.non_json(tracking_send)
            elif rule.kind == "truncated":
                await bad_answers.truncated(self.app, scope, receive, tracking_send)
            elif rule.kind == "huge_page":
                await bad_answers.huge_page(self.app, scope, tracking_send)
            elif rule.kind == "timeout":
                await asyncio.sleep(rule.delay_seconds)
                await _drop_connection(send)
            else:
                await self.service.fault_response(rule)(scope, receive, tracking_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or path
            self.service.stats.record(method, template, status["code"])
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            self.service.requests.record(method, path, template, query, bytes(body), status["code"])


async def _discard(message: Message) -> None:
    """A ``send`` that throws the answer away."""
