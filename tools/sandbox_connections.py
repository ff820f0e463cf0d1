"""Airflow Connections and pools for a running sandbox, as an operator would set them for real hosts."""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.fernet import Fernet

from sandbox.process import SandboxProcess

XERO_POOL_SLOTS = 5  # Xero allows 5 calls in flight per tenant
XERO_POOL_ENV = "PXSYNC_XERO_POOL"  # the pool the xero_extract tasks run in (dags/xero_extract.py)


def local_token_key() -> dict[str, str]:
    """``PXSYNC_TOKEN_KEY`` as set, else a key generated for this local sandbox session only: rotated
    refresh tokens stored with it are unreadable once it is gone (fine for a sandbox, not for real hosts)."""
    return {"PXSYNC_TOKEN_KEY": os.environ.get("PXSYNC_TOKEN_KEY") or Fernet.generate_key().decode()}


def connection_env(sandbox: SandboxProcess) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` variables for ``procore_default`` and ``xero_default`` (JSON connection format)."""
    procore = sandbox.admin("procore", "GET", "credentials")
    xero = sandbox.admin("xero", "GET", "credentials")
    procore_client = procore["clients"][0]
    xero_app = next(a for a in xero["apps"] if a.get("refresh_token"))
    connections: dict[str, dict[str, Any]] = {
        "procore_default": {
            "conn_type": "http",
            "host": sandbox.procore_url,
            "login": procore_client["client_id"],
            "password": procore_client["client_secret"],
            "extra": {
                "company_id": procore["company_id"],
                "token_url": f"{sandbox.procore_url}{procore['token_path']}",
                "grant_type": "client_credentials",
            },
        },
        "xero_default": {
            "conn_type": "http",
            "host": sandbox.xero_url,
            "login": xero_app["client_id"],
            "password": xero_app["client_secret"],
            "extra": {
                "tenant_id": xero_app["tenant_ids"][0],
                "token_url": f"{sandbox.xero_url}{xero['token_url']}",
                "grant_type": "refresh_token",
                "refresh_token": xero_app["refresh_token"],
            },
        },
    }
    return {f"AIRFLOW_CONN_{name.upper()}": json.dumps(conn) for name, conn in connections.items()}


def xero_pools(sandbox: SandboxProcess) -> dict[str, int]:
    """One pool per Xero tenant, named ``xero_<tenant id>``, holding Xero's concurrency limit."""
    tenants = sandbox.admin("xero", "GET", "credentials")["tenants"]
    pools = {f"xero_{t['tenant_id']}": XERO_POOL_SLOTS for t in tenants}
    pools[os.environ.get(XERO_POOL_ENV, "xero_default")] = XERO_POOL_SLOTS  # the xero_default connection's
    return pools
