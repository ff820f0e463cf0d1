"""Builds both emulators on one shared clock and serves them on loopback with uvicorn."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from sandbox.core.clock import SandboxClock
from sandbox.core.middleware import SandboxMiddleware
from sandbox.core.service import SandboxService


@dataclass
class SandboxOptions:
    host: str = "127.0.0.1"
    procore_port: int = 8701
    xero_port: int = 8702
    clock_speed: float = 1.0
    latency_ms: float = 0.0
    xero_spec: Path | None = None  # None: look for ../shared/reference/xero_accounting.yaml


def build_services(seed: dict[str, Any], options: SandboxOptions) -> tuple[SandboxService, SandboxService]:
    from sandbox.procore.service import ProcoreService
    from sandbox.xero.service import XeroService

    clock = SandboxClock(speed=options.clock_speed)
    procore = ProcoreService(seed["procore"], clock, latency_ms=options.latency_ms)
    xero = XeroService(seed["xero"], clock, latency_ms=options.latency_ms, spec_path=options.xero_spec)
    return procore, xero


def build_apps(procore: SandboxService, xero: SandboxService) -> tuple[ASGIApp, ASGIApp]:
    from sandbox.procore.app import create_app as create_procore_app
    from sandbox.xero.app import create_app as create_xero_app

    return (
        SandboxMiddleware(create_procore_app(procore), procore),
        SandboxMiddleware(create_xero_app(xero), xero),
    )


async def _serve(apps: list[tuple[ASGIApp, int]], host: str) -> None:
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=port, log_level="warning", access_log=False, date_header=False
            )
        )
        for app, port in apps
    ]
    await asyncio.gather(*(server.serve() for server in servers))


def serve(seed: dict[str, Any], options: SandboxOptions) -> None:
    procore, xero = build_services(seed, options)
    procore_app, xero_app = build_apps(procore, xero)
    print(
        f"sandbox: Procore on http://{options.host}:{options.procore_port}  "
        f"Xero on http://{options.host}:{options.xero_port}",
        flush=True,
    )
    asyncio.run(_serve([(procore_app, options.procore_port), (xero_app, options.xero_port)], options.host))
