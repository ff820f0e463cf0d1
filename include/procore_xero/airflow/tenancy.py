"""One tenant as the tasks use it: its clients, its staging key and its mapping spec, from its connections.

Tasks receive the tenant's name (their mapped argument); notifiers, which get only the task's context, find
it by the task instance's map index (the DAGs expand over the tenants in the tenants file's order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procore_xero.airflow.hooks import ProcoreHook, XeroHook
from procore_xero.clients.errors import ConfigurationError
from procore_xero.tenants import Tenant, tenant_at, tenant_named


@dataclass(frozen=True)
class TenantPair:
    """A tenant's Procore company and Xero organisation, reached through its own connections."""

    tenant: Tenant

    @property
    def name(self) -> str:
        return self.tenant.name

    def procore(self, **options: Any) -> Any:
        return ProcoreHook(self.tenant.procore_conn_id).get_client(**options)

    def xero(self, **options: Any) -> Any:
        return XeroHook(self.tenant.xero_conn_id).get_client(**options)

    def key(self) -> Any:
        """The staging key: the company id and tenant id the two connections name."""
        from procore_xero.staging import TenantKey

        procore = ProcoreHook.get_connection(self.tenant.procore_conn_id).extra_dejson
        xero = XeroHook.get_connection(self.tenant.xero_conn_id).extra_dejson
        return TenantKey(int(procore["company_id"]), str(xero["tenant_id"]))

    def spec(self) -> Any:
        """The mapping spec: the settings file with this tenant's overrides from the tenants file."""
        from procore_xero.mapping import load_spec

        return load_spec(tenant=self.tenant)


def pair_named(name: str) -> TenantPair:
    return TenantPair(tenant_named(name))


def pair_of(context: Any) -> TenantPair:
    """The tenant of the running task instance (notifiers and callbacks: no task arguments there)."""
    map_index = getattr(context["ti"], "map_index", -1)
    tenant = tenant_at(-1 if map_index is None else int(map_index))
    if tenant is None:
        raise ConfigurationError(f"task {context['ti'].task_id} map index {map_index}: no such tenant")
    return TenantPair(tenant)
