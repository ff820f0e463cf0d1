"""Airflow cluster policy: each Xero tenant's tasks run in that tenant's own pool.

Airflow cannot map a task's pool (apache/airflow#33657), so tasks that call Xero declare the shared pool
(``PXSYNC_XERO_POOL``) and are mapped over the tenants in the tenants file's order; when the scheduler creates
or refreshes such a task instance, this hook moves it to its tenant's pool (5 slots = Xero's calls in flight
per organisation). Airflow picks it up from the ``airflow_local_settings`` module this package installs (an
``airflow.policy`` entry point is not enough: Airflow 3.3 skips entry-point mutation hooks when a DAG run
creates its task instances). Without it every tenant shares the one pool: slower, still within Xero's limits.
"""

from __future__ import annotations

from typing import Any

from procore_xero.tenants import shared_xero_pool, tenant_at


def route_to_tenant_pool(task_instance: Any, dag_run: Any = None) -> None:
    """Only reads the tenants file: the hook runs inside the scheduler's transaction."""
    if task_instance.pool != shared_xero_pool() or task_instance.map_index is None:
        return
    if task_instance.map_index < 0:
        return
    tenant = tenant_at(task_instance.map_index)
    if tenant is not None:
        task_instance.pool = tenant.pool
