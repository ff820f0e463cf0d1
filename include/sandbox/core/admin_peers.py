"""Who may call the ``/_sandbox`` admin routes: loopback peers, plus networks named with ``--admin-from``.

The admin routes hand out client secrets and refresh tokens and can reset or fault the emulators, so they
answer only the machine itself even when the APIs are served on every interface (the compose ``sandbox``
profile). The check uses the TCP peer address (uvicorn's proxy headers are off), never a header.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.core.middleware import ADMIN_PREFIX

SCOPE_KEY = "sandbox.admin_peers"  # where the guard leaves its policy for the routes' own check

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
REFUSAL = "the sandbox admin endpoints answer on loopback only"
HINT = "python -m sandbox serve --admin-from CIDR admits a network (for the compose evaluation network only)"


@dataclass(frozen=True)
class AdminPeers:
    """Loopback always; ``networks`` only when the operator named them (``--admin-from CIDR``)."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, cidrs: Iterable[str]) -> AdminPeers:
        """``ValueError`` naming the bad entry when one is not an address or network."""
        return cls(tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs))

    def allows(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False  # no peer address (e.g. a Unix socket or an in-memory test client)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return address.is_loopback or any(address in network for network in self.networks)

    def refusal(self, host: str | None) -> dict[str, str]:
        """The 403 body: the rule in ``detail`` (the same words the routes' own check uses), the peer and
        the way to admit a network."""
        return {
            "detail": REFUSAL,
            "peer": host or "unknown",
            "hint": HINT,
        }


LOOPBACK_ONLY = AdminPeers()


def scope_peers(scope: Scope) -> AdminPeers:
    """The policy the guard put in ``scope``; loopback only when the app is served without the guard."""
    return scope.get(SCOPE_KEY, LOOPBACK_ONLY)


class AdminPeerGuard:
    """ASGI middleware: ``403`` (JSON: ``detail``, ``peer``, ``hint``) for an admin request from a peer not
    allowed."""

    def __init__(self, app: ASGIApp, peers: AdminPeers = LOOPBACK_ONLY) -> None:
        self.app = app
        self.peers = peers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.peers
        host = (scope.get("client") or (None, None))[0]
        if self.peers.allows(host):
            await self.app(scope, receive, send)
            return
        body = json.dumps(self.peers.refusal(host)).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 403, "headers": headers})
        await send({"type": "http.response.body", "body": body})
