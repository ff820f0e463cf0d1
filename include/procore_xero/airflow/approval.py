"""The controller's Human-in-the-loop task, shared by both directions' DAGs (Airflow's Required Actions)."""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param

from procore_xero.airflow.notify import ControllerNotifier

ANSWER_WITHIN = timedelta(minutes=50)  # then the records stay pending for the next hourly run


def controller_approval(subject: str, target: str) -> HITLEntryOperator:
    """Lists what ``held_for_approval`` returned; the answer names exception ids to approve or reject."""
    return HITLEntryOperator(
        task_id="controller_approval",
        subject=subject,
        body="{{ ti.xcom_pull(task_ids='held_for_approval') }}",
        options=["Submit"],
        defaults=["Submit"],
        params={
            "approve": Param([], type="array", description=f"Exception ids to post to {target}."),
            "reject": Param([], type="array", description="Exception ids to keep out."),
        },
        response_timeout=ANSWER_WITHIN,
        notifiers=[ControllerNotifier()],
    )
