"""Airflow Connections and pools for a running sandbox, as an operator would set them for real hosts."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from procore_xero.tenants import XERO_POOL_SLOTS, load_tenants, shared_xero_pool, xero_pool_names
from sandbox.process import SandboxProcess


def local_token_key() -> dict[str, str]:
    """``PXSYNC_TOKEN_KEY`` as set, else a key generated for this local sandbox session only: rotated
    refresh tokens stored with it are unreadable once it is gone (fine for a sandbox, not for real hosts)."""
    return {"PXSYNC_TOKEN_KEY": os.environ.get("PXSYNC_TOKEN_KEY") or Fernet.generate_key().decode()}


def connection_env(sandbox: SandboxProcess, suffix: str = "default") -> dict[str, str]:
    """``AIRFLOW_CONN_*`` variables for ``procore_<suffix>`` and ``xero_<suffix>`` (JSON connection format):
    one tenant's pair, as the tenants file names them."""
    procore = sandbox.admin("procore", "GET", "credentials")
    xero = sandbox.admin("xero", "GET", "credentials")
    procore_client = procore["clients"][0]
    xero_app = next(a for a in xero["apps"] if a.get("refresh_token"))
    connections: dict[str, dict[str, Any]] = {
        f"procore_{suffix}": {
            "conn_type": "procore",
            "host": sandbox.procore_url,
            "login": procore_client["client_id"],
            "password": procore_client["client_secret"],
            "extra": {
                "company_id": procore["company_id"],
                "token_url": f"{sandbox.procore_url}{procore['token_path']}",
                "grant_type": "client_credentials",
            },
        },
        f"xero_{suffix}": {
            "conn_type": "xero",
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


def xero_pools(tenants_file: Path | None = None) -> dict[str, int]:
    """The shared Xero pool and each tenant's (``tenants_file``, else PXSYNC_TENANTS', else the default
    tenant), with Xero's concurrency limit as slots."""
    names = xero_pool_names(load_tenants(tenants_file), shared_xero_pool())
    return dict.fromkeys(names, XERO_POOL_SLOTS)


def procore_app_headers(sandbox: SandboxProcess, client_index: int = 0) -> dict[str, str]:
    """Request headers of one of the seed's Procore apps, signed in with client credentials: how another
    integration (a benchmark's baseline, the project managers' own tools) reaches the same company."""
    credentials = sandbox.admin("procore", "GET", "credentials")
    client = credentials["clients"][client_index]
    token = requests.post(
        f"{sandbox.procore_url}{credentials['token_path']}",
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
        timeout=30,
    )
    token.raise_for_status()
    return {
        "Authorization": f"Bearer {token.json()['access_token']}",
        "Procore-Company-Id": str(credentials["company_id"]),
    }
