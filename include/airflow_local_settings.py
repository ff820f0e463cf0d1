"""Airflow's local settings for this project: Airflow imports a module of this name when it starts.

It adds the cluster policy that runs each tenant's Xero tasks in the tenant's own pool
(``procore_xero/airflow/policy.py``). A deployment with its own ``airflow_local_settings`` imports
``route_to_tenant_pool`` from there as its ``task_instance_mutation_hook`` instead.
"""

from procore_xero.airflow.policy import route_to_tenant_pool as task_instance_mutation_hook

__all__ = ["task_instance_mutation_hook"]
