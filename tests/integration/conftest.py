"""Clients wired to the session's sandbox (for the client and extract tests), with sleep and clock on sandbox
time (sleeping advances it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from procore_xero.clients import (
    ClientCredentialsProvider,
    ProcoreClient,
    RefreshTokenProvider,
    RetryPolicy,
    SqlTokenStore,
    TokenCipher,
    TokenEndpoint,
    XeroClient,
)
from sandbox.process import SandboxProcess

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.05, max_delay=0.2)


class SandboxTime:
    """A clock that reads sandbox time and a sleep that moves the sandbox clock instead of waiting."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.sandbox = sandbox
        self.offset = sandbox.admin("procore", "GET", "clock")["epoch"] - time.time()
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.sandbox.admin("procore", "POST", "clock", {"advance_seconds": seconds})
        self.offset += seconds


@pytest.fixture
def sandbox_time(sandbox: SandboxProcess) -> SandboxTime:
    return SandboxTime(sandbox)


@pytest.fixture
def procore_creds(sandbox: SandboxProcess) -> dict[str, Any]:
    return sandbox.admin("procore", "GET", "credentials")


@pytest.fixture
def xero_creds(sandbox: SandboxProcess) -> dict[str, Any]:
    return sandbox.admin("xero", "GET", "credentials")


@pytest.fixture
def make_procore(
    sandbox: SandboxProcess, procore_creds: dict[str, Any], sandbox_time: SandboxTime
) -> Callable[..., ProcoreClient]:
    def build(**options: Any) -> ProcoreClient:
        client = procore_creds["clients"][0]
        endpoint = TokenEndpoint(
            f"{sandbox.procore_url}/oauth/token",
            client["client_id"],
            client["client_secret"],
            client_auth="form",
        )
        auth = ClientCredentialsProvider(endpoint, clock=options.pop("token_clock", sandbox_time.clock))
        options = {"sleep": sandbox_time.sleep, "clock": sandbox_time.clock, "retry": FAST_RETRY, **options}
        return ProcoreClient(sandbox.procore_url, auth, procore_creds["company_id"], **options)

    return build


@pytest.fixture
def token_store(tmp_path: Path) -> SqlTokenStore:
    store = SqlTokenStore(
        create_engine(f"sqlite:///{tmp_path / 'staging.db'}"), TokenCipher(Fernet.generate_key())
    )
    store.create_table()
    return store


def xero_refresh_provider(
    xero_url: str,
    app: dict[str, Any],
    store: SqlTokenStore,
    tenant_id: str,
    clock: Callable[[], float] = time.time,
) -> RefreshTokenProvider:
    endpoint = TokenEndpoint(
        f"{xero_url}/connect/token", app["client_id"], app["client_secret"], client_auth="basic"
    )
    return RefreshTokenProvider(
        endpoint, store, f"xero:{tenant_id}", initial_refresh_token=app["refresh_token"], clock=clock
    )


@pytest.fixture
def make_xero(
    sandbox: SandboxProcess, xero_creds: dict[str, Any], token_store: SqlTokenStore, sandbox_time: SandboxTime
) -> Callable[..., XeroClient]:
    def build(**options: Any) -> XeroClient:
        tenant_id = xero_creds["tenants"][0]["tenant_id"]
        auth = xero_refresh_provider(
            sandbox.xero_url, xero_creds["apps"][0], token_store, tenant_id, sandbox_time.clock
        )
        options = {"sleep": sandbox_time.sleep, "clock": sandbox_time.clock, "retry": FAST_RETRY, **options}
        return XeroClient(sandbox.xero_url, auth, tenant_id, **options)

    return build
