"""Plain HTTP access to a running sandbox for the benchmarks: a bearer token from the seed's credentials and
one keep-alive session that counts its calls (no paging, batching, throttling or retries of the sync's
clients: the benchmarks that use it measure the emulators or a deliberately naive integration)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from procore_xero.staging.jsoncodec import dumps, loads
from sandbox.process import SandboxProcess
from tools.sandbox_connections import procore_app_headers

ACCOUNTING = "/api.xro/2.0"


@dataclass
class CountedApi:
    """One API on one session; ``calls`` counts requests by the caller's label ("GET Contacts")."""

    base_url: str
    headers: dict[str, str]
    http: requests.Session = field(default_factory=requests.Session)
    calls: Counter[str] = field(default_factory=Counter)

    def call(
        self,
        label: str,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        missing_ok: bool = False,
    ) -> Any:
        """The answer's JSON (money as Decimal); ``None`` for a 404 if ``missing_ok``; other errors raise."""
        self.calls[label] += 1
        response = self.http.request(
            method,
            f"{self.base_url}{path}",
            params=params,
            data=None if body is None else dumps(body),
            headers={**self.headers, "Content-Type": "application/json"},
            timeout=60,
        )
        if missing_ok and response.status_code == 404:
            return None
        if not response.ok:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return loads(response.text)

    def total(self) -> int:
        return sum(self.calls.values())


def procore_api(sandbox: SandboxProcess) -> tuple[CountedApi, int]:
    """The seed's first Procore client (client credentials) and the company id."""
    headers = procore_app_headers(sandbox)
    return CountedApi(sandbox.procore_url, headers), int(headers["Procore-Company-Id"])


def xero_api(sandbox: SandboxProcess, tenant_id: str) -> CountedApi:
    """The seed's custom connection (client credentials, so no refresh token of the sync's is rotated)
    for ``tenant_id``; paths below ``/api.xro/2.0``."""
    creds = sandbox.admin("xero", "GET", "credentials")
    app = next(a for a in creds["apps"] if a["kind"] == "custom_connection" and tenant_id in a["tenant_ids"])
    token = requests.post(
        f"{sandbox.xero_url}/connect/token",
        data={"grant_type": "client_credentials"},
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    )
    token.raise_for_status()
    headers = {
        "Authorization": f"Bearer {token.json()['access_token']}",
        "xero-tenant-id": tenant_id,
        "Accept": "application/json",
    }
    return CountedApi(f"{sandbox.xero_url}{ACCOUNTING}", headers)


def sync_tenant_id(sandbox: SandboxProcess) -> str:
    """The Xero tenant the sync's ``xero_default`` connection points at."""
    from tools.sandbox_connections import connection_env

    return json.loads(connection_env(sandbox)["AIRFLOW_CONN_XERO_DEFAULT"])["extra"]["tenant_id"]
