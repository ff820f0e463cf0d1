"""``make airflow``: Airflow standalone on the sandboxes, with connections and pools already set.

The sandboxes serve on the documented ports (8701 Procore, 8702 Xero); the UI is on
http://localhost:8080 and ``airflow standalone`` prints the admin password it generated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sandbox.process import REPO_ROOT, start_sandbox
from tools.sandbox_connections import connection_env, local_token_key, xero_pools

VENV_BIN = Path(sys.executable).parent


def airflow(*args: str, env: dict[str, str], check: bool = True) -> None:
    subprocess.run([str(VENV_BIN / "airflow"), *args], env=env, check=check)


def main() -> int:
    sandbox = start_sandbox(REPO_ROOT / "out" / "airflow" / "sandbox.log", procore_port=8701, xero_port=8702)
    try:
        env = {**os.environ, **connection_env(sandbox), **local_token_key()}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # standalone starts `airflow` by name
        airflow("db", "migrate", env=env)
        for pool, slots in xero_pools(sandbox).items():
            airflow("pools", "set", pool, str(slots), "Xero allows 5 calls in flight per tenant", env=env)
        print(
            f"Sandboxes: Procore {sandbox.procore_url}, Xero {sandbox.xero_url}. Starting Airflow standalone…"
        )
        airflow("standalone", env=env, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
