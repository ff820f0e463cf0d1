"""Who may answer a tenant's approval: the tenants file's ``approvers`` as Airflow user ids.

An entry is a user id (the user name under Airflow's simple auth manager) or ``role:NAME``: every user the
simple auth manager's ``[core] simple_auth_manager_users`` gives that role. Airflow enforces the list on the
Required Actions page (``assigned_users``); the approval task checks it again against the responder Airflow
recorded, so an answer from anyone else posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from procore_xero.clients.errors import ConfigurationError
from procore_xero.tenants import Tenant

ROLE_PREFIX = "role:"


def users_by_role(users_setting: str) -> dict[str, list[str]]:
    """``alice:admin,bob:user`` (the simple auth manager's setting) as role -> user names."""
    roles: dict[str, list[str]] = {}
    for entry in users_setting.split(","):
        name, _, role = entry.strip().partition(":")
        if name and role:
            roles.setdefault(role.strip().lower(), []).append(name.strip())
    return roles


def approver_ids(entries: Sequence[str], users_setting: str) -> list[str]:
    """The user ids ``entries`` name, roles expanded, in order, once each."""
    roles = users_by_role(users_setting)
    ids: list[str] = []
    for entry in entries:
        if entry.startswith(ROLE_PREFIX):
            ids.extend(roles.get(entry[len(ROLE_PREFIX) :].strip().lower(), []))
        else:
            ids.append(entry)
    return list(dict.fromkeys(ids))


def tenant_approvers(tenant: Tenant) -> list[str]:
    """The tenant's approvers as user ids; none is a configuration error, never "anyone may answer"
    (Airflow lets every user with access to the DAG answer a task that assigns nobody)."""
    from airflow.configuration import conf

    entries = tenant.approver_entries()
    ids = approver_ids(entries, conf.get("core", "simple_auth_manager_users", fallback="") or "")
    if not ids:
        raise ConfigurationError(
            f"tenant {tenant.name!r}: approvers {list(entries)} name no Airflow user; set 'approvers' in the "
            "tenants file or PXSYNC_APPROVERS"
        )
    return ids
