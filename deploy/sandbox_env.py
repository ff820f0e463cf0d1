"""Print the ``.env`` lines that point the compose stack at the sandbox profile's emulators.

The ``/_sandbox`` admin routes answer loopback peers only (403 from anywhere else, even on the compose
network; ``serve --admin-from`` is deliberately not set), so run it inside the sandbox container:

    docker compose --profile sandbox exec sandbox python /opt/pxsync/deploy/sandbox_env.py
    # put these lines in .env in place of the PROCORE_* / XERO_* ones, then
    docker compose run --rm airflow-init      # re-creates procore_default / xero_default

The values are the demo seed's throwaway credentials, not real secrets.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any

PROCORE_LOCAL = "http://127.0.0.1:8701"
XERO_LOCAL = "http://127.0.0.1:8702"
PROCORE_PUBLIC = "http://sandbox:8701"  # as the Airflow workers reach it on the compose network
XERO_PUBLIC = "http://sandbox:8702"


def env_lines(procore: dict[str, Any], xero: dict[str, Any]) -> list[str]:
    client = procore["clients"][0]
    app = next(a for a in xero["apps"] if a.get("refresh_token"))
    values = {
        "PROCORE_BASE_URL": PROCORE_PUBLIC,
        "PROCORE_CLIENT_ID": client["client_id"],
        "PROCORE_CLIENT_SECRET": client["client_secret"],
        "PROCORE_COMPANY_ID": procore["company_id"],
        "PROCORE_TOKEN_URL": f"{PROCORE_PUBLIC}{procore['token_path']}",
        "PROCORE_GRANT_TYPE": "client_credentials",
        "XERO_BASE_URL": XERO_PUBLIC,
        "XERO_CLIENT_ID": app["client_id"],
        "XERO_CLIENT_SECRET": app["client_secret"],
        "XERO_TENANT_ID": app["tenant_ids"][0],
        "XERO_TOKEN_URL": f"{XERO_PUBLIC}{xero['token_url']}",
        "XERO_GRANT_TYPE": "refresh_token",
        "XERO_REFRESH_TOKEN": app["refresh_token"],
    }
    return [f"{key}={value}" for key, value in values.items()]


def _credentials(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_sandbox/credentials", timeout=30) as response:
        return json.load(response)


def main() -> int:
    print("# sandbox profile (demo seed), written by deploy/sandbox_env.py")
    print("\n".join(env_lines(_credentials(PROCORE_LOCAL), _credentials(XERO_LOCAL))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
