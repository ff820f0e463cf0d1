"""The Connections page's Test button: each hook's ``test_connection`` against the emulators.

A fresh token is granted on every test (a stored one would hide a wrong secret), through the token store, so
Xero's rotated refresh token is kept: testing twice, then syncing, still works. No message holds a secret.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from procore_xero.airflow.hooks import ProcoreHook, XeroHook
from sandbox.process import SandboxProcess
from tools.extract_env import extract_env, patched_environ

HOOKS = {"procore": ProcoreHook, "xero": XeroHook}


@pytest.fixture
def connections(sandbox: SandboxProcess, tmp_path: Path) -> Iterator[dict[str, dict[str, Any]]]:
    """``procore_default`` / ``xero_default`` for the sandbox (as ``make airflow`` sets them), a fresh
    token store; yields the two connections as JSON documents to derive broken ones from."""
    env = extract_env(sandbox, f"sqlite:///{tmp_path / 'staging.db'}")
    with patched_environ(env):
        yield {
            service: json.loads(env[f"AIRFLOW_CONN_{service.upper()}_DEFAULT"])
            for service in ("procore", "xero")
        }


def with_connection(conn_id: str, document: dict[str, Any]) -> patched_environ:
    return patched_environ({f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(document)})


def secrets_of(document: dict[str, Any]) -> list[str]:
    return [value for value in (document["password"], document["extra"].get("refresh_token")) if value]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_good_credentials_pass_and_name_the_account(
    connections: dict[str, dict[str, Any]], sandbox: SandboxProcess
) -> None:
    procore = ProcoreHook().test_connection()
    company = connections["procore"]["extra"]["company_id"]
    assert procore == (
        True,
        f"Procore: signed in; company {company} (Summit Ridge Builders, Inc.) is reachable",
    ), procore
    tenant = connections["xero"]["extra"]["tenant_id"]
    for _ in range(2):  # the second test refreshes with the token the first one rotated and stored
        ok, message = XeroHook().test_connection()
        assert ok, message
        assert message.startswith("Xero: signed in; organisation ") and f"({tenant}) is reachable" in message
    organisation = XeroHook().get_client().get("Organisation")  # a sync run after the tests still signs in
    assert organisation["Organisations"][0]["OrganisationID"] == tenant


@pytest.mark.parametrize("service", ["procore", "xero"])
def test_a_wrong_secret_fails_with_the_reason_and_without_the_secret(
    connections: dict[str, dict[str, Any]], service: str
) -> None:
    hook = HOOKS[service]
    # a good token sits in the store now: it must not hide the fault
    assert hook().test_connection()[0] is True
    wrong = {**connections[service], "password": "wrong-secret-" + connections[service]["password"][::-1]}
    with with_connection(f"{service}_wrong", wrong):
        ok, message = hook(f"{service}_wrong").test_connection()
    assert ok is False
    assert " invalid_client (check the client id and client secret)" in message, message
    assert not [
        secret for secret in secrets_of(wrong) + secrets_of(connections[service]) if secret in message
    ]
    assert hook().test_connection()[0] is True, "a failed test must not cost the stored tokens"


@pytest.mark.parametrize("service", ["procore", "xero"])
def test_an_unreachable_host_fails_within_seconds(
    connections: dict[str, dict[str, Any]], service: str
) -> None:
    away = {**connections[service], "host": f"http://127.0.0.1:{closed_port()}"}
    started = time.monotonic()
    with with_connection(f"{service}_away", away):
        ok, message = HOOKS[service](f"{service}_away").test_connection()
    assert ok is False
    assert "failed" in message and "after 1 attempt(s)" in message, message
    assert time.monotonic() - started < 10
    assert not [secret for secret in secrets_of(away) if secret in message]


def test_a_missing_account_extra_names_the_field(connections: dict[str, dict[str, Any]]) -> None:
    bare = {**connections["procore"], "extra": {"grant_type": "client_credentials"}}
    with with_connection("procore_bare", bare):
        ok, message = ProcoreHook("procore_bare").test_connection()
    assert (ok, message) == (
        False,
        "Procore: ConfigurationError: connection 'procore_bare' has no 'company_id' extra",
    )
