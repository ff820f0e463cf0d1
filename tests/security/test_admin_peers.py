"""The sandboxes' ``/_sandbox`` admin routes answer loopback peers only, unless ``--admin-from`` admits a
network: over real HTTP from a non-loopback address of this machine, and on the guard itself."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.core.admin_peers import AdminPeerGuard, AdminPeers
from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox


def own_address() -> str | None:
    """A non-loopback IPv4 address of this machine that accepts connections to itself, if any."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


ADDRESS = own_address()
needs_address = pytest.mark.skipif(ADDRESS is None, reason="this machine has no non-loopback IPv4 address")


def served_on_all_interfaces(name: str, *extra: str) -> SandboxProcess:
    return start_sandbox(REPO_ROOT / "out" / "test-logs" / f"{name}.log", "--host", "0.0.0.0", *extra)


def on_address(sandbox: SandboxProcess, service: str) -> str:
    return sandbox.url(service).replace("127.0.0.1", str(ADDRESS))


@pytest.fixture(scope="module")
def exposed() -> Any:
    """Both emulators on every interface, admin routes for loopback only (the compose profile's way)."""
    server = served_on_all_interfaces("sandbox-exposed")
    yield server
    server.stop()


@needs_address
@pytest.mark.parametrize("service", ["procore", "xero"])
def test_admin_routes_refuse_a_peer_that_is_not_loopback(exposed: SandboxProcess, service: str) -> None:
    for method, path in (("GET", "credentials"), ("GET", "state"), ("POST", "reset"), ("GET", "nope")):
        answer = requests.request(method, f"{on_address(exposed, service)}/_sandbox/{path}", timeout=30)
        assert answer.status_code == 403, (method, path)
        assert answer.json() == AdminPeers().refusal(ADDRESS)
        assert answer.json()["detail"] == "the sandbox admin endpoints answer on loopback only"
        assert "--admin-from" in answer.json()["hint"]
        assert "client_secret" not in answer.text
    # the APIs themselves answer that peer (the Airflow workers' case), and loopback keeps the admin routes
    token = requests.post(f"{on_address(exposed, service)}{token_path(exposed, service)}", timeout=30)
    assert token.status_code in (400, 401)
    assert exposed.admin(service, "GET", "credentials")


@needs_address
def test_a_forwarded_for_header_does_not_make_a_peer_loopback(exposed: SandboxProcess) -> None:
    answer = requests.get(
        f"{on_address(exposed, 'xero')}/_sandbox/credentials",
        headers={"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1"},
        timeout=30,
    )
    assert answer.status_code == 403


@needs_address
def test_admin_from_admits_the_named_network_only(tmp_path: Path) -> None:
    server = served_on_all_interfaces("sandbox-admin-from", "--admin-from", f"{ADDRESS}/32")
    try:
        for service in ("procore", "xero"):
            answer = requests.get(f"{on_address(server, service)}/_sandbox/credentials", timeout=30)
            assert answer.status_code == 200
            assert answer.json() == server.admin(service, "GET", "credentials")
        controller = requests.post(
            f"{on_address(server, 'xero')}/_sandbox/controller", json={"actions": []}, timeout=30
        )
        assert controller.status_code != 403  # the Xero-only admin route follows the same rule
    finally:
        server.stop()


def token_path(sandbox: SandboxProcess, service: str) -> str:
    credentials = sandbox.admin(service, "GET", "credentials")
    return credentials["token_path"] if service == "procore" else credentials["token_url"]


# ---- the guard on its own: real ASGI scopes, a real downstream app -------------------------------------


def call(peers: AdminPeers, path: str, client: tuple[str, int] | None) -> tuple[int, bytes, bool]:
    """(status, body, whether the wrapped app ran) for one HTTP request from ``client`` through the guard."""
    reached: list[bool] = []
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    guard = AdminPeerGuard(app, peers)
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "client": client}
    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"], sent[1]["body"], bool(reached)


@pytest.mark.parametrize(
    ("peer", "admitted"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.1.2.3", False),
        ("172.18.0.5", False),
        ("::ffff:10.1.2.3", False),
        ("fd00::2", False),
        ("localhost", False),  # a name is not a peer address
        ("testclient", False),
    ],
)
def test_guard_admits_loopback_addresses_only(peer: str, admitted: bool) -> None:
    status, body, reached = call(AdminPeers(), "/_sandbox/state", (peer, 5555))
    assert (status, reached) == ((200, True) if admitted else (403, False))
    if not admitted:
        assert json.loads(body)["peer"] == peer


def test_guard_admits_a_named_network_and_leaves_the_api_alone() -> None:
    peers = AdminPeers.parse(["172.18.0.0/16"])
    assert call(peers, "/_sandbox/credentials", ("172.18.0.5", 1))[0] == 200
    assert call(peers, "/_sandbox/credentials", ("172.19.0.5", 1))[0] == 403
    assert call(peers, "/_sandbox/credentials", None)[0] == 403
    assert call(peers, "/api.xro/2.0/Invoices", ("203.0.113.9", 1)) == (200, b"ok", True)


def test_admin_from_rejects_what_is_not_a_network() -> None:
    with pytest.raises(ValueError, match="sandbox-net"):
        AdminPeers.parse(["sandbox-net"])
