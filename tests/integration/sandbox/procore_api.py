"""A tiny HTTP helper for the Procore emulator tests: a token, the company header, and the real paths."""

from __future__ import annotations

from typing import Any

import requests

V10, V11 = "/rest/v1.0", "/rest/v1.1"


def token(sandbox: Any, client: dict[str, Any], **form: str) -> requests.Response:
    data = {"client_id": client["client_id"], "client_secret": client["client_secret"], **form}
    return requests.post(f"{sandbox.procore_url}/oauth/token", data=data, timeout=10)


class ProcoreApi:
    """Calls as one seed client (the sync's own by default), with a fresh client-credentials token."""

    def __init__(self, sandbox: Any, client_index: int = 0) -> None:
        self.sandbox = sandbox
        self.creds = sandbox.admin("procore", "GET", "credentials")
        self.client = self.creds["clients"][client_index]
        self.company_id = self.creds["company_id"]
        self.access_token = token(sandbox, self.client, grant_type="client_credentials").json()[
            "access_token"
        ]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Procore-Company-Id": str(self.company_id)}

    def call(
        self, method: str, path: str, *, params: Any = None, json: Any = None, **kw: Any
    ) -> requests.Response:
        return requests.request(
            method,
            f"{self.sandbox.procore_url}{path}",
            params=params,
            json=json,
            headers=kw.pop("headers", None) or self.headers(),
            timeout=kw.pop("timeout", 10),
            **kw,
        )

    def get(self, path: str, **params: Any) -> requests.Response:
        """A GET with the ``company_id`` Procore requires on company lists (other lists ignore it)."""
        return self.call("GET", path, params={"company_id": self.company_id, **params})

    def state(self) -> dict[str, Any]:
        return self.sandbox.admin("procore", "GET", "state")

    def first_project(self, stage: str = "Send to Xero") -> dict[str, Any]:
        return next(p for p in self.state()["projects"] if p["project_stage"]["name"] == stage)
