"""Test helper: a logged-in Xero API session against the sandbox, as a client would hold one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from sandbox.process import SandboxProcess

API = "/api.xro/2.0"


@dataclass
class XeroSession:
    sandbox: SandboxProcess
    app: dict[str, Any]
    tenant_id: str
    access_token: str
    refresh_token: str | None

    def headers(self, **extra: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.access_token}",
            "xero-tenant-id": self.tenant_id,
            "Accept": "application/json",
            **extra,
        }

    def call(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.sandbox.xero_url}{API}{path}",
            headers={**self.headers(), **(headers or {})},
            timeout=10,
            **kwargs,
        )


def token(sandbox: SandboxProcess, app: dict[str, Any], **form: str) -> requests.Response:
    return requests.post(
        f"{sandbox.xero_url}/connect/token",
        data=form,
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    )


def login(sandbox: SandboxProcess, tenant_index: int = 0) -> XeroSession:
    creds = sandbox.admin("xero", "GET", "credentials")
    app = next(a for a in creds["apps"] if a["kind"] == "oauth_app")
    answer = token(sandbox, app, grant_type="refresh_token", refresh_token=app["refresh_token"])
    answer.raise_for_status()
    body = answer.json()
    return XeroSession(
        sandbox, app, creds["tenants"][tenant_index]["tenant_id"], body["access_token"], body["refresh_token"]
    )
