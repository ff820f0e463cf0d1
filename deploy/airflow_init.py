"""The ``airflow-init`` service of docker-compose.yaml: migrate, admin user, pools, connections.

Everything comes from the environment (docker compose passes the values of ``.env``):

* ``airflow db migrate``;
* the admin user of the simple auth manager: ``AIRFLOW_ADMIN_USER`` / ``AIRFLOW_ADMIN_PASSWORD`` written to
  the passwords file named by ``AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE``;
* the pool ``PXSYNC_XERO_POOL`` (default ``xero_default``) and, with a tenants file (``PXSYNC_TENANTS``), each
  tenant's own pool, 5 slots each: Xero's calls in flight per organisation;
* the connections ``procore_default``, ``xero_default`` (from ``PROCORE_*`` / ``XERO_*``; skipped with a
  notice while the client id is empty) and ``smtp_default`` (from ``SMTP_*``; default the Mailpit service).

Re-running it (``docker compose run --rm airflow-init``) replaces the connections with the current values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _extra(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def connections_from_env(env: Mapping[str, str]) -> dict[str, dict[str, Any] | None]:
    """Connection name -> Airflow JSON connection, or ``None`` when its client id is not set yet."""
    get = lambda name, default="": env.get(name) or default  # noqa: E731
    procore = xero = None
    if get("PROCORE_CLIENT_ID"):
        procore = {
            "conn_type": "procore",
            "host": get("PROCORE_BASE_URL", "https://api.procore.com"),
            "login": get("PROCORE_CLIENT_ID"),
            "password": get("PROCORE_CLIENT_SECRET"),
            "extra": _extra(
                company_id=get("PROCORE_COMPANY_ID"),
                token_url=get("PROCORE_TOKEN_URL", "https://login.procore.com/oauth/token"),
                grant_type=get("PROCORE_GRANT_TYPE", "client_credentials"),
                refresh_token=get("PROCORE_REFRESH_TOKEN"),
            ),
        }
    if get("XERO_CLIENT_ID"):
        xero = {
            "conn_type": "xero",
            "host": get("XERO_BASE_URL", "https://api.xero.com"),
            "login": get("XERO_CLIENT_ID"),
            "password": get("XERO_CLIENT_SECRET"),
            "extra": _extra(
                tenant_id=get("XERO_TENANT_ID"),
                token_url=get("XERO_TOKEN_URL", "https://identity.xero.com/connect/token"),
                grant_type=get("XERO_GRANT_TYPE", "refresh_token"),
                refresh_token=get("XERO_REFRESH_TOKEN"),
            ),
        }
    smtp = {
        "conn_type": "smtp",
        "host": get("SMTP_HOST", "mailpit"),
        "port": int(get("SMTP_PORT", "1025")),
        "login": get("SMTP_USER"),
        "password": get("SMTP_PASSWORD"),
        "extra": _extra(
            from_email=get("SMTP_FROM", "pxsync@example.com"),
            disable_tls=get("SMTP_STARTTLS", "false").lower() != "true",
            disable_ssl=get("SMTP_SSL", "false").lower() != "true",
        ),
    }
    return {"procore_default": procore, "xero_default": xero, "smtp_default": smtp}


def init_commands(env: Mapping[str, str]) -> list[list[str]]:
    """The ``airflow`` CLI calls, in order (deleting a connection that does not exist yet is harmless)."""
    from procore_xero.tenants import XERO_POOL_SLOTS, load_tenants, xero_pool_names

    why = "Xero allows 5 calls in flight per tenant"
    tenants_file = env.get("PXSYNC_TENANTS")
    tenants = load_tenants(Path(tenants_file)) if tenants_file else ()
    pools = xero_pool_names(tenants, env.get("PXSYNC_XERO_POOL") or "xero_default")
    commands = [["airflow", "db", "migrate"]]
    commands += [["airflow", "pools", "set", pool, str(XERO_POOL_SLOTS), why] for pool in pools]
    for name, conn in connections_from_env(env).items():
        if conn is None:
            continue
        commands.append(["airflow", "connections", "delete", name])
        commands.append(["airflow", "connections", "add", name, "--conn-json", json.dumps(conn)])
    return commands


def write_admin_password(env: Mapping[str, str]) -> Path | None:
    path = env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    user, password = env.get("AIRFLOW_ADMIN_USER"), env.get("AIRFLOW_ADMIN_PASSWORD")
    if not (path and user and password):
        return None
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({user: password}), encoding="utf-8")
    target.chmod(0o600)
    return target


def main() -> int:
    env = dict(os.environ)
    if write_admin_password(env) is None:
        print("airflow-init: AIRFLOW_ADMIN_USER / AIRFLOW_ADMIN_PASSWORD not set", file=sys.stderr)
        return 1
    for name, conn in connections_from_env(env).items():
        if conn is None:
            print(f"airflow-init: {name} skipped (its client id is not set in .env yet)")
    for command in init_commands(env):
        optional = command[1:3] == ["connections", "delete"]
        done = subprocess.run(command, check=False, capture_output=optional)
        if done.returncode and not optional:
            print(f"airflow-init: failed: {' '.join(command[:4])}", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
