"""Procore OAuth over HTTP: grants, expiry on the sandbox clock, rotating refresh tokens, 401/400/403/404."""

from __future__ import annotations

import requests

from tests.integration.sandbox.procore_api import V10, ProcoreApi, token


def test_client_credentials_token_lasts_5400_sandbox_seconds(sandbox):
    api = ProcoreApi(sandbox)
    granted = token(sandbox, api.client, grant_type="client_credentials").json()
    assert granted["token_type"] == "Bearer" and granted["expires_in"] == 5400
    assert "refresh_token" not in granted
    now = sandbox.admin("procore", "GET", "clock")["epoch"]
    assert abs(granted["created_at"] - now) < 5
    api.access_token = granted["access_token"]
    assert api.get(f"{V10}/companies").json()[0]["id"] == api.company_id
    sandbox.admin("procore", "POST", "clock", {"advance_seconds": 5401})
    expired = api.get(f"{V10}/companies")
    assert expired.status_code == 401
    assert "expired" in expired.json()["errors"]
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


def test_http_basic_client_authentication_and_bad_secret(sandbox):
    client = ProcoreApi(sandbox).client
    basic = requests.post(
        f"{sandbox.procore_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], client["client_secret"]),
        timeout=10,
    )
    assert basic.status_code == 200 and len(basic.json()["access_token"]) == 64
    wrong = token(sandbox, {**client, "client_secret": "nope"}, grant_type="client_credentials")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    unsupported = token(sandbox, client, grant_type="password")
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "invalid_grant"


def test_refresh_token_rotates_and_the_old_one_dies_at_once(sandbox):
    client = ProcoreApi(sandbox).client
    first = token(sandbox, client, grant_type="refresh_token", refresh_token=client["refresh_token"])
    assert first.status_code == 200
    body = first.json()
    assert body["refresh_token"] != client["refresh_token"] and body["expires_in"] == 5400
    reused = token(sandbox, client, grant_type="refresh_token", refresh_token=client["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    second = token(sandbox, client, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert second.status_code == 200 and second.json()["refresh_token"] not in (body["refresh_token"],)
    other = ProcoreApi(
        sandbox, client_index=1
    ).client  # a refresh token belongs to the client it was issued to
    stolen = token(sandbox, other, grant_type="refresh_token", refresh_token=second.json()["refresh_token"])
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"


def test_missing_or_invalid_bearer_is_401(sandbox):
    api = ProcoreApi(sandbox)
    company = {"Procore-Company-Id": str(api.company_id)}
    missing = api.call("GET", f"{V10}/companies", headers=company)
    assert missing.status_code == 401 and "No access token" in missing.json()["errors"]
    invalid = api.call("GET", f"{V10}/companies", headers={**company, "Authorization": "Bearer forged"})
    assert invalid.status_code == 401 and invalid.json() == {
        "errors": "401 Unauthorized: The access token is invalid"
    }


def test_company_header_missing_400_unknown_403(sandbox):
    api = ProcoreApi(sandbox)
    bearer = {"Authorization": f"Bearer {api.access_token}"}
    missing = api.call("GET", f"{V10}/vendors", headers=bearer)
    assert missing.status_code == 400 and "Procore-Company-Id" in missing.json()["errors"]
    unknown = api.call("GET", f"{V10}/vendors", headers={**bearer, "Procore-Company-Id": "999"})
    assert unknown.status_code == 403 and "company 999" in unknown.json()["errors"]
    mismatch = api.get(f"{V10}/vendors", company_id=999)
    assert mismatch.status_code == 403


def test_project_scoped_endpoints_need_a_known_project(sandbox):
    api = ProcoreApi(sandbox)
    missing = api.get(f"{V10}/work_order_contracts")
    assert missing.status_code == 400 and "project_id" in missing.json()["errors"]
    unknown = api.get(f"{V10}/work_order_contracts", project_id=12345)
    assert unknown.status_code == 404 and "12345" in unknown.json()["errors"]
    project = api.first_project()
    found = api.get(f"{V10}/work_order_contracts", project_id=project["id"])
    assert found.status_code == 200 and all(c["project"]["id"] == project["id"] for c in found.json())
    assert int(found.headers["Total"]) == sum(
        1 for c in api.state()["work_order_contracts"] if c["project"]["id"] == project["id"]
    )


def test_revoke_tokens_kills_access_and_seed_refresh_tokens(sandbox):
    api = ProcoreApi(sandbox)
    assert api.get(f"{V10}/companies").status_code == 200
    revoked = sandbox.admin("procore", "POST", "faults", {"kind": "revoke_tokens"})
    assert revoked["revoked"] >= 3  # this access token + both seed refresh tokens
    assert api.get(f"{V10}/companies").status_code == 401
    dead = token(sandbox, api.client, grant_type="refresh_token", refresh_token=api.client["refresh_token"])
    assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"
    assert token(sandbox, api.client, grant_type="client_credentials").status_code == 200
