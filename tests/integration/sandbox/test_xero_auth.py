"""Xero identity over HTTP: grants, rotation with the 30-minute grace, connections, 401/403, revocation."""

from __future__ import annotations

import requests

from tests.integration.sandbox.xero_client import API, login, token


def _creds(sandbox):
    return sandbox.admin("xero", "GET", "credentials")


def test_refresh_rotates_and_old_token_dies_after_grace(sandbox):
    app = next(a for a in _creds(sandbox)["apps"] if a["kind"] == "oauth_app")
    first = token(sandbox, app, grant_type="refresh_token", refresh_token=app["refresh_token"])
    assert first.status_code == 200
    body = first.json()
    assert body["expires_in"] == 1800 and body["token_type"] == "Bearer"
    assert body["refresh_token"] != app["refresh_token"]
    # lost response: the old token still works within 30 minutes of its first use
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 1700})
    again = token(sandbox, app, grant_type="refresh_token", refresh_token=app["refresh_token"])
    assert again.status_code == 200 and again.json()["refresh_token"] not in (
        body["refresh_token"],
        app["refresh_token"],
    )
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 200})
    late = token(sandbox, app, grant_type="refresh_token", refresh_token=app["refresh_token"])
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
    # the rotated one keeps working
    assert (
        token(sandbox, app, grant_type="refresh_token", refresh_token=body["refresh_token"]).status_code
        == 200
    )


def test_client_auth_by_form_fields_and_bad_secret(sandbox):
    app = next(a for a in _creds(sandbox)["apps"] if a["kind"] == "oauth_app")
    url = f"{sandbox.xero_url}/connect/token"
    ok = requests.post(
        url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": app["refresh_token"],
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
        timeout=10,
    )
    assert ok.status_code == 200
    bad = requests.post(
        url,
        data={"grant_type": "refresh_token", "refresh_token": app["refresh_token"]},
        auth=(app["client_id"], "wrong"),
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"


def test_access_token_expires_after_30_minutes(sandbox):
    session = login(sandbox)
    assert session.call("GET", "/Organisation").status_code == 200
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 1801})
    expired = session.call("GET", "/Organisation")
    assert expired.status_code == 401
    assert expired.json()["Detail"].startswith("TokenExpired")


def test_client_credentials_custom_connection(sandbox):
    creds = _creds(sandbox)
    custom = next(a for a in creds["apps"] if a["kind"] == "custom_connection")
    answer = token(sandbox, custom, grant_type="client_credentials")
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body and body["expires_in"] == 1800
    conns = requests.get(
        f"{sandbox.xero_url}/connections",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    ).json()
    assert [c["tenantId"] for c in conns] == custom["tenant_ids"]
    oauth = next(a for a in creds["apps"] if a["kind"] == "oauth_app")
    refused = token(sandbox, oauth, grant_type="client_credentials")
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"


def test_connections_lists_both_tenants(sandbox):
    session = login(sandbox)
    answer = requests.get(
        f"{sandbox.xero_url}/connections",
        headers={"Authorization": f"Bearer {session.access_token}"},
        timeout=10,
    )
    tenants = {t["tenant_id"]: t["name"] for t in _creds(sandbox)["tenants"]}
    assert answer.status_code == 200
    rows = answer.json()
    assert {r["tenantId"]: r["tenantName"] for r in rows} == tenants
    assert {r["tenantType"] for r in rows} == {"ORGANISATION"}
    assert all(r["createdDateUtc"] and r["updatedDateUtc"] and r["id"] for r in rows)


def test_missing_or_bad_bearer_and_tenant(sandbox):
    session = login(sandbox)
    url = f"{sandbox.xero_url}{API}/Contacts"
    none = requests.get(url, headers={"xero-tenant-id": session.tenant_id}, timeout=10)
    assert none.status_code == 401 and none.json()["Title"] == "Unauthorized"
    bogus = requests.get(
        url, headers={"Authorization": "Bearer nope", "xero-tenant-id": session.tenant_id}, timeout=10
    )
    assert bogus.status_code == 401 and bogus.json()["Detail"] == "AuthenticationUnsuccessful"
    no_tenant = requests.get(url, headers={"Authorization": f"Bearer {session.access_token}"}, timeout=10)
    assert no_tenant.status_code == 403 and no_tenant.json()["Title"] == "Forbidden"
    stranger = session.call(
        "GET", "/Contacts", headers={"xero-tenant-id": "00000000-0000-4000-8000-000000000000"}
    )
    assert stranger.status_code == 403 and stranger.json()["Detail"] == "AuthenticationUnsuccessful"


def test_custom_connection_cannot_reach_other_tenant(sandbox):
    creds = _creds(sandbox)
    custom = next(a for a in creds["apps"] if a["kind"] == "custom_connection")
    access = token(sandbox, custom, grant_type="client_credentials").json()["access_token"]
    other = creds["tenants"][1]["tenant_id"]
    answer = requests.get(
        f"{sandbox.xero_url}{API}/Contacts",
        timeout=10,
        headers={"Authorization": f"Bearer {access}", "xero-tenant-id": other},
    )
    assert answer.status_code == 403


def test_revoke_tokens_kills_access_and_refresh_tokens(sandbox):
    session = login(sandbox)
    revoked = sandbox.admin("xero", "POST", "faults", {"kind": "revoke_tokens"})["revoked"]
    assert revoked >= 3  # the access token, its refresh token and the seed's first (still in grace)
    assert session.call("GET", "/Organisation").status_code == 401
    again = token(sandbox, session.app, grant_type="refresh_token", refresh_token=session.refresh_token)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    seed_token = token(
        sandbox, session.app, grant_type="refresh_token", refresh_token=session.app["refresh_token"]
    )
    assert seed_token.json()["error"] == "invalid_grant"
