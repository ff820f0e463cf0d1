"""The tenants file: which Procore company pairs with which Xero organisation, and how each pair is reached.

A firm with several entities (or an accountant serving several builders) lists one entry per pair; the DAGs
fan out over the entries by dynamic task mapping, in the file's order. Without a file (``PXSYNC_TENANTS``
unset) there is one tenant, ``default``, on the ``procore_default`` / ``xero_default`` connections.

```yaml
tenants:
  - name: summit                       # letters, digits, - and _: shown in the UI, names the pool
    procore_conn_id: procore_summit    # Airflow connections (format: procore_xero/airflow/hooks.py)
    xero_conn_id: xero_summit
    pool: xero_summit                  # optional; default xero_<name>. 5 slots = Xero's calls in flight
    controller_emails: [controller@summit.example]   # optional; else the settings' controller_emails
    approvers: [cfo, "role:controller"]  # optional; else PXSYNC_APPROVERS (default: admin). Who may answer
                                       # the approval: Airflow user ids, or role:NAME (simple auth manager)
    overrides:                         # optional; merged over the settings file (the one home of a
      settings: {drift: {amount: 2500.00}}   # tenant's changes; checked by mapping/settings.schema.json)
```

Read while DAG files parse, so it stays light: YAML only, no pandas, no database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TENANTS_ENV = "PXSYNC_TENANTS"
SHARED_XERO_POOL_ENV = "PXSYNC_XERO_POOL"
XERO_POOL_SLOTS = 5  # Xero's calls in flight per organisation
DEFAULT_TENANT = "default"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
TENANT_LABEL = "{{ task.op_kwargs['tenant'] }}"  # map_index_template: the UI names mapped tasks by tenant
APPROVERS_ENV = "PXSYNC_APPROVERS"  # comma-separated: the approvers of tenants that name none
DEFAULT_APPROVERS = ("admin",)  # ``make airflow``'s one user: a single firm's controller until configured
KNOWN_KEYS = frozenset(
    {"name", "procore_conn_id", "xero_conn_id", "pool", "controller_emails", "approvers", "overrides"}
)


class TenantsFileError(ValueError):
    """The tenants file cannot be used: says which entry and which field."""


@dataclass(frozen=True)
class Tenant:
    """One Procore company + Xero organisation pair and the Airflow objects that reach them."""

    name: str
    procore_conn_id: str = "procore_default"
    xero_conn_id: str = "xero_default"
    pool: str = ""
    controller_emails: tuple[str, ...] | None = None
    approvers: tuple[str, ...] | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    source: str = field(default="", compare=False)  # the tenants file, named by errors in ``overrides``

    def settings_overrides(self) -> dict[str, Any]:
        """What this tenant changes in the mapping spec (``controller_emails`` included)."""
        overrides = {key: dict(value) for key, value in self.overrides.items()}
        if self.controller_emails is not None:
            overrides.setdefault("settings", {})["controller_emails"] = list(self.controller_emails)
        return overrides

    def approver_entries(self) -> tuple[str, ...]:
        """Who may answer this tenant's approval (user ids and ``role:NAME``): its own, else the default."""
        if self.approvers is not None:
            return self.approvers
        configured = os.environ.get(APPROVERS_ENV)
        if configured is None:
            return DEFAULT_APPROVERS
        return tuple(entry.strip() for entry in configured.split(",") if entry.strip())


def shared_xero_pool() -> str:
    """The pool Xero-calling tasks declare; the cluster policy moves a tenant's task to its own pool."""
    return os.environ.get(SHARED_XERO_POOL_ENV) or "xero_default"


def sync_runs_at_once() -> int:
    """A sync DAG's ``max_active_runs``: each tenant may have one run waiting for its controller's answer
    (one request per tenant at a time), and one more run posts: no run waits behind an approval."""
    return len(load_tenants()) + 1


def xero_pool_names(tenants: Sequence[Tenant], shared: str) -> list[str]:
    """The pools to create, each with ``XERO_POOL_SLOTS``: the shared one, then each tenant's."""
    return list(dict.fromkeys([shared, *(t.pool for t in tenants)]))


def tenants_path() -> Path | None:
    value = os.environ.get(TENANTS_ENV)
    return Path(value) if value else None


def load_tenants(path: Path | None = None) -> tuple[Tenant, ...]:
    """The tenants in file order (the map index of each tenant's tasks), or the single default tenant."""
    path = path or tenants_path()
    if path is None:
        return (Tenant(DEFAULT_TENANT, pool=shared_xero_pool()),)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TenantsFileError(f"tenants file {path}: cannot be read: {error}") from None
    entries = document.get("tenants") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise TenantsFileError(f"tenants file {path}: needs a non-empty list under 'tenants'")
    tenants = tuple(_tenant(path, number, entry) for number, entry in enumerate(entries, start=1))
    _unique(path, tenants)
    return tenants


def tenant_names(path: Path | None = None) -> list[str]:
    """What the DAGs expand over."""
    return [tenant.name for tenant in load_tenants(path)]


def tenant_named(name: str) -> Tenant:
    for tenant in load_tenants():
        if tenant.name == name:
            return tenant
    raise TenantsFileError(f"no tenant named {name!r} in {tenants_path() or 'the default setup'}")


def tenant_at(map_index: int) -> Tenant | None:
    """The tenant a task instance mapped over the tenants works for (None: not mapped over them)."""
    tenants = load_tenants()
    if map_index < 0:
        return tenants[0] if len(tenants) == 1 else None
    return tenants[map_index] if map_index < len(tenants) else None


def _tenant(path: Path, number: int, entry: Any) -> Tenant:
    where = f"tenants file {path}, entry {number}"
    if not isinstance(entry, Mapping):
        raise TenantsFileError(f"{where}: must be a mapping, not {type(entry).__name__}")
    unknown = sorted(set(entry) - KNOWN_KEYS)
    if unknown:
        raise TenantsFileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise TenantsFileError(f"{where}: 'name' must be 1-60 letters, digits, '-' or '_' (got {name!r})")
    where = f"tenants file {path}, tenant {name!r}"
    for key in ("procore_conn_id", "xero_conn_id"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise TenantsFileError(f"{where}: '{key}' is required (an Airflow connection id)")
    emails = entry.get("controller_emails")
    if emails is not None and (not isinstance(emails, list) or not all(isinstance(e, str) for e in emails)):
        raise TenantsFileError(f"{where}: 'controller_emails' must be a list of addresses")
    approvers = entry.get("approvers")
    named = isinstance(approvers, list) and approvers and all(a and isinstance(a, str) for a in approvers)
    if approvers is not None and not named:
        raise TenantsFileError(f"{where}: 'approvers' must be a non-empty list of user ids or role:NAME")
    overrides = entry.get("overrides") or {}
    if not isinstance(overrides, Mapping) or set(overrides) - {"settings", "objects"}:
        raise TenantsFileError(f"{where}: 'overrides' may hold only 'settings' and 'objects'")
    return Tenant(
        name=name,
        procore_conn_id=entry["procore_conn_id"],
        xero_conn_id=entry["xero_conn_id"],
        pool=str(entry.get("pool") or f"xero_{name}"),
        controller_emails=tuple(emails) if emails is not None else None,
        approvers=tuple(approvers) if approvers is not None else None,
        overrides=dict(overrides),
        source=str(path),
    )


def _unique(path: Path, tenants: tuple[Tenant, ...]) -> None:
    """Two entries on one name, pool or connection would share a rate-limit budget, a token or staged rows."""
    for label, values in (
        ("name", [t.name for t in tenants]),
        ("pool", [t.pool for t in tenants]),
        ("procore_conn_id", [t.procore_conn_id for t in tenants]),
        ("xero_conn_id", [t.xero_conn_id for t in tenants]),
    ):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise TenantsFileError(f"tenants file {path}: {label} used by more than one tenant: {repeated}")
