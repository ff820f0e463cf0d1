"""Builds both emulators on one shared clock and serves them with uvicorn (loopback unless ``--host``);
the admin routes stay loopback-only behind ``AdminPeerGuard`` whatever the host."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.types import ASGIApp

from sandbox.core.admin_peers import LOOPBACK_ONLY, AdminPeerGuard, AdminPeers
from sandbox.core.clock import SandboxClock
from sandbox.core.middleware import SandboxMiddleware

if TYPE_CHECKING:  # annotations only: build_services imports the emulators where it builds them
    from sandbox.procore.service import ProcoreService
    from sandbox.xero.service import XeroService


@dataclass
class SandboxOptions:
    host: str = "127.0.0.1"
    procore_port: int = 8701
    xero_port: int = 8702
    clock_speed: float = 1.0
    latency_ms: float = 0.0
    xero_spec: Path | None = None  # None: look for ../shared/reference/xero_accounting.yaml
    admin_peers: AdminPeers = field(default=LOOPBACK_ONLY)  # who may call /_sandbox/* besides loopback


def build_services(seed: dict[str, Any], options: SandboxOptions) -> tuple[ProcoreService, XeroService]:
    from sandbox.procore.service import ProcoreService
    from sandbox.xero.service import XeroService

    clock = SandboxClock(speed=options.clock_speed)
    procore = ProcoreService(seed["procore"], clock, latency_ms=options.latency_ms)
    xero = XeroService(seed["xero"], clock, latency_ms=options.latency_ms, spec_path=options.xero_spec)
    return procore, xero


def build_apps(
    procore: ProcoreService, xero: XeroService, admin_peers: AdminPeers = LOOPBACK_ONLY
) -> tuple[ASGIApp, ASGIApp]:
    """Each emulator behind its call counter / fault injector, behind the admin-route peer check."""
    from sandbox.procore.app import create_app as create_procore_app
    from sandbox.xero.app import create_app as create_xero_app

    return (
        AdminPeerGuard(SandboxMiddleware(create_procore_app(procore), procore), admin_peers),
        AdminPeerGuard(SandboxMiddleware(create_xero_app(xero), xero), admin_peers),
    )


async def _serve(apps: list[tuple[ASGIApp, int]], host: str) -> None:
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                date_header=False,
                proxy_headers=False,  # the admin check trusts the TCP peer, never X-Forwarded-For
            )
        )
        for app, port in apps
    ]
    await asyncio.gather(*(server.serve() for server in servers))


def serve(seed: dict[str, Any], options: SandboxOptions) -> None:
    procore, xero = build_services(seed, options)
    procore_app, xero_app = build_apps(procore, xero, options.admin_peers)
    print(
        f"sandbox: Procore on http://{options.host}:{options.procore_port}  "
        f"Xero on http://{options.host}:{options.xero_port}",
        flush=True,
    )
    asyncio.run(_serve([(procore_app, options.procore_port), (xero_app, options.xero_port)], options.host))
