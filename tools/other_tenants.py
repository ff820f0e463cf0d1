"""Firms beside ``make airflow``'s ``default`` one, for the tests: each on a small sandbox of its own, listed
in a tenants file with its own approver and controller address, so one Airflow serves two controllers."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import yaml

from procore_xero.tenants import DEFAULT_TENANT
from sandbox.process import SandboxProcess, start_firm_sandbox

OTHER_TENANT_SCALE = 0.05  # 4 projects, 22 vendors: every DAG has work for it, little added to a run


def controller_of(tenant: str) -> str:
    """The address an other tenant's mail goes to."""
    return f"controller@{tenant}.example"


def start_other_tenants(stack: ExitStack, folder: Path, names: list[str]) -> dict[str, SandboxProcess]:
    """One sandbox per name, stopped when ``stack`` closes."""
    started: dict[str, SandboxProcess] = {}
    for number, name in enumerate(names, start=1):
        started[name] = start_firm_sandbox(folder, name, number, OTHER_TENANT_SCALE)
        stack.callback(started[name].stop)
    return started


def write_tenants_file(path: Path, approvers: Mapping[str, str]) -> Path:
    """``default`` first, as it is without a file (its connections, the settings' controller, the
    PXSYNC_APPROVERS approvers), then each other tenant on ``procore_<name>`` / ``xero_<name>`` with its
    own controller and its one approver (``approvers``: tenant -> Airflow user id)."""
    entries: list[dict[str, object]] = [
        {"name": DEFAULT_TENANT, "procore_conn_id": "procore_default", "xero_conn_id": "xero_default"}
    ]
    entries += [
        {
            "name": name,
            "procore_conn_id": f"procore_{name}",
            "xero_conn_id": f"xero_{name}",
            "controller_emails": [controller_of(name)],
            "approvers": [approver],
        }
        for name, approver in approvers.items()
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"tenants": entries}, sort_keys=False), encoding="utf-8")
    return path
