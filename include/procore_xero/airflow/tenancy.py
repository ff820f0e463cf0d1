"""One tenant as the tasks use it: its clients, its staging key and its mapping spec, from its connections.

Tasks receive the tenant's name (their mapped argument); notifiers, which get only the task's context, find
it by the task instance's map index (the DAGs expand over the tenants in the tenants file's order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from procore_xero.airflow.hooks import ProcoreHook, XeroHook
from procore_xero.clients.errors import ConfigurationError
from procore_xero.tenants import Tenant, tenant_at, tenant_named

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from procore_xero.clients import ProcoreClient, XeroClient
    from procore_xero.mapping import MappingSpec
    from procore_xero.staging import TenantKey
    from procore_xero.tenant_run import TenantRun


@dataclass(frozen=True)
class TenantPair:
    """A tenant's Procore company and Xero organisation, reached through its own connections."""

    tenant: Tenant

    @property
    def name(self) -> str:
        return self.tenant.name

    def procore(self, **options: Any) -> ProcoreClient:
        return ProcoreHook(self.tenant.procore_conn_id).get_client(**options)

    def xero(self, **options: Any) -> XeroClient:
        return XeroHook(self.tenant.xero_conn_id).get_client(**options)

    def key(self) -> TenantKey:
        """The staging key: the company id and tenant id the two connections name."""
        from procore_xero.staging import TenantKey

        procore = ProcoreHook.get_connection(self.tenant.procore_conn_id).extra_dejson
        xero = XeroHook.get_connection(self.tenant.xero_conn_id).extra_dejson
        return TenantKey(int(procore["company_id"]), str(xero["tenant_id"]))

    def spec(self) -> MappingSpec:
        """The mapping spec: the settings file with this tenant's overrides from the tenants file."""
        from procore_xero.mapping import load_spec

        return load_spec(tenant=self.tenant)


def tenant_run(name: str, context: Any) -> TenantRun:
    """The tenant's run for this task: its key, spec and staging read once, its clients on first use,
    and the run mode from the DAG run's Params (``dry_run``, ``full_refresh``, ``project_number``)."""
    from procore_xero.run_mode import RunMode
    from procore_xero.staging import open_staging
    from procore_xero.tenant_run import TenantRun

    pair, engine = pair_named(name), open_staging()
    key, params = pair.key(), context["params"]
    mode = RunMode(
        dry_run=bool(params.get("dry_run")),
        full_refresh=bool(params.get("full_refresh")),
        project_id=project_id(engine, key.company_id, params.get("project_number")),
    )
    return TenantRun(name, key, pair.spec(), engine, context["run_id"], mode, pair.xero, pair.procore)


def project_id(engine: Engine, company_id: int, project_number: str | None) -> str | None:
    """The ``project_number`` Param as a staged project id; an unknown number is an error, not "all". A
    company with nothing staged yet gives None: its steps are skipped until its first extract
    (``sync_tasks.skip_until_extracted``), whatever the Param."""
    if not project_number:
        return None
    from procore_xero.mapping.staged import read_staged

    projects = read_staged(engine, "projects", company_id)
    if projects.empty:
        return None
    match = projects[projects["project_number"].astype(str) == str(project_number)]
    if match.empty:
        raise ValueError(f"no staged Procore project has the job number {project_number!r}")
    return str(match.iloc[0]["id"])


def pair_named(name: str) -> TenantPair:
    return TenantPair(tenant_named(name))


def pair_of(context: Any) -> TenantPair:
    """The tenant of the running task instance (notifiers and callbacks: no task arguments there)."""
    map_index = getattr(context["ti"], "map_index", -1)
    tenant = tenant_at(-1 if map_index is None else int(map_index))
    if tenant is None:
        raise ConfigurationError(f"task {context['ti'].task_id} map index {map_index}: no such tenant")
    return TenantPair(tenant)
