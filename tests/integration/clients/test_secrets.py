"""Errors raised against the real emulators never show a secret or token."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from procore_xero.clients import (
    AuthError,
    ClientCredentialsProvider,
    ProcoreClient,
    RequestRejected,
    TokenEndpoint,
    XeroClient,
)
from sandbox.process import SandboxProcess


def test_no_secret_in_errors_logs_or_reprs(
    sandbox: SandboxProcess,
    make_xero: Callable[..., XeroClient],
    make_procore: Callable[..., ProcoreClient],
    procore_creds: dict,
    xero_creds: dict,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = procore_creds["clients"][0]
    wrong = TokenEndpoint(
        f"{sandbox.procore_url}/oauth/token", client["client_id"], "wrong-secret-123456", client_auth="form"
    )
    with pytest.raises(AuthError) as refused:
        ProcoreClient(sandbox.procore_url, ClientCredentialsProvider(wrong), 1).get("/rest/v1.0/projects")
    xero = make_xero()
    xero.connections()
    with pytest.raises(RequestRejected) as rejected:
        xero.get("Invoices/not-a-guid")
    sandbox.admin("xero", "POST", "faults", {"kind": "revoke_tokens"})
    with pytest.raises(AuthError) as revoked:  # 401, then the refresh token is refused too
        xero.get("Items")
    procore = make_procore()
    procore.get("/rest/v1.0/projects", {"company_id": procore_creds["company_id"]})

    app = xero_creds["apps"][0]
    stored = xero.api.auth.store.locked(xero.api.auth.store_key)  # type: ignore[attr-defined]
    with stored as slot:
        current = slot.current
    secrets = [
        client["client_secret"],
        app["client_secret"],
        app["refresh_token"],
        "wrong-secret-123456",
        current.refresh_token,
        current.access_token,
        procore.api.auth.access_token(),
    ]
    shown = " ".join(
        [
            str(refused.value),
            repr(refused.value),
            str(rejected.value),
            repr(rejected.value.body),
            str(revoked.value),
            repr(xero),
            repr(procore),
            repr(xero.api.auth),
            repr(procore.api.auth),
            repr(current),
            caplog.text,
            repr(xero.calls),
            repr(procore.calls),
        ]
    )
    assert refused.value.error_code == "invalid_client" and revoked.value.error_code == "invalid_grant"
    assert rejected.value.status in (400, 404)
    for secret in secrets:
        assert secret and secret not in shown
