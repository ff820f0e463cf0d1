"""What a DAG run's tasks returned (XCom), by step name, for the demo, the bench and the tests."""

from __future__ import annotations

from typing import Any


def step_results(dag_id: str, run_id: str, tenant_index: int = 0) -> dict[str, Any]:
    """Each task's return value keyed by its name inside the tenant task group (``tenant.bills`` ->
    ``bills``), for the tenant at ``tenant_index`` in the tenants file (0: the only one by default)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    query = XComModel.get_many(run_id=run_id, dag_ids=dag_id, map_indexes=tenant_index, key="return_value")
    with create_session() as session:
        # Airflow types get_many as Select[tuple[XComModel]] (SQLAlchemy 2.0's spelling): 2.1 reads one tuple
        xcoms = session.scalars(query)
        return {x.task_id.rsplit(".", 1)[-1]: XComModel.deserialize_value(x) for x in xcoms}  # type: ignore[attr-defined]


def asset_events(run_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The Asset events a DAG run emitted, in order: (asset URI, the event's extra)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(
            select(AssetModel.uri, AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetEvent.source_run_id == run_id)
            .order_by(AssetEvent.id)
        ).all()
    return [(row.uri, dict(row.extra or {})) for row in rows]
