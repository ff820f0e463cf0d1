"""The ``/_sandbox`` routes both emulators share: stats, state, faults, credentials, clock, limits, reset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from sandbox.core.admin_peers import REFUSAL, scope_peers
from sandbox.core.faults import FaultRule
from sandbox.core.middleware import ADMIN_PREFIX
from sandbox.core.service import SandboxService


def require_loopback(request: Request) -> None:
    """The admin routes hand out secrets and reset state: only a caller on this machine (or on a network
    the operator admitted with ``--admin-from``, as ``AdminPeerGuard`` says) may use them."""
    host = request.client.host if request.client else None
    if not scope_peers(request.scope).allows(host):
        raise HTTPException(status_code=403, detail=REFUSAL)


def admin_router(service: SandboxService) -> APIRouter:
    router = APIRouter(prefix=ADMIN_PREFIX, dependencies=[Depends(require_loopback)], include_in_schema=False)

    @router.get("/stats")
    def stats() -> dict[str, Any]:
        return {
            "service": service.name,
            **service.stats.snapshot(),
            "faults_fired": service.faults.fired_by_kind,
        }

    @router.delete("/stats")
    def reset_stats() -> dict[str, Any]:
        service.stats.reset()
        return {"service": service.name, "reset": True}

    @router.get("/requests")
    def requests() -> dict[str, Any]:
        """Every API request received since the last reset: method, path, route, query, body, status."""
        return service.requests.snapshot()

    @router.delete("/requests")
    def reset_requests() -> dict[str, Any]:
        service.requests.reset()
        return {"service": service.name, "reset": True}

    @router.get("/state")
    def state() -> dict[str, Any]:
        return service.state()

    @router.get("/credentials")
    def credentials() -> dict[str, Any]:
        return service.credentials()

    @router.get("/faults")
    def list_faults() -> dict[str, Any]:
        return {"armed": service.faults.armed(), "fired": service.faults.fired_by_kind}

    @router.post("/faults")
    def add_fault(body: dict[str, Any]) -> dict[str, Any]:
        """Arm a fault (``{"kind": "503", "path": "/Invoices", "count": 2}``) or revoke tokens now
        (``{"kind": "revoke_tokens"}``)."""
        if body.get("kind") == "revoke_tokens":
            return {"revoked": service.revoke_tokens()}
        try:
            rule = FaultRule(**{k: v for k, v in body.items() if k != "fired"})
        except (TypeError, ValueError) as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        service.faults.add(rule)
        return {"armed": service.faults.armed()}

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        service.faults.clear()
        return {"armed": []}

    @router.get("/clock")
    def get_clock() -> dict[str, Any]:
        return service.clock.describe()

    @router.post("/clock")
    def set_clock(body: dict[str, Any]) -> dict[str, Any]:
        """``{"speed": 60}`` runs sandbox time 60x; ``{"advance_seconds": 3600}`` jumps an hour ahead."""
        try:
            start = (
                datetime.fromisoformat(body["start"].replace("Z", "+00:00")) if body.get("start") else None
            )
            service.clock.set(
                speed=body.get("speed"), advance_seconds=float(body.get("advance_seconds", 0)), start=start
            )
        except (TypeError, ValueError) as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return service.clock.describe()

    @router.get("/limits")
    def get_limits() -> dict[str, Any]:
        return service.limits()

    @router.post("/limits")
    def set_limits(body: dict[str, Any]) -> dict[str, Any]:
        try:
            service.set_limits(body)
        except (TypeError, ValueError) as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return service.limits()

    @router.post("/reset")
    def reset() -> dict[str, Any]:
        """Reload the seed: state, tokens and rate-limit windows afresh; counters and faults cleared."""
        service.reset()
        service.stats.reset()
        service.requests.reset()
        service.faults.reset()
        return {"service": service.name, "reset": True}

    return router
