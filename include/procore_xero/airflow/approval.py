"""The controller's Human-in-the-loop task, shared by both directions' DAGs (Airflow's Required Actions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.hitl import HITLEntryOperator
from airflow.sdk import Param
from airflow.sdk.exceptions import AirflowSkipException

from procore_xero.airflow.notify import ControllerNotifier

ANSWER_WITHIN = timedelta(minutes=50)  # then the records stay pending for the next hourly run


class ControllerApproval(HITLEntryOperator):
    """Skips (no Required Action, no mail) when its tenant has nothing waiting. A short-circuit task
    upstream cannot do this inside a task group mapped over tenants: the approval's mapped instance does
    not exist yet when the upstream task would skip it."""

    def execute(self, context: Any) -> Any:
        if not str(self.body or "").strip():
            raise AirflowSkipException("no records wait for the controller's approval")
        return super().execute(context)


def controller_approval(subject: str, target: str, listing: Any) -> HITLEntryOperator:
    """Shows ``listing`` (the ``held_for_approval`` task's output: its tenant's held records, as the task
    instance of the same map index returned them); the answer names exception ids to approve or reject."""
    return ControllerApproval(
        task_id="controller_approval",
        subject=subject,
        body=listing,
        options=["Submit"],
        defaults=["Submit"],
        params={
            "approve": Param([], type="array", description=f"Exception ids to post to {target}."),
            "reject": Param([], type="array", description="Exception ids to keep out."),
        },
        response_timeout=ANSWER_WITHIN,
        notifiers=[ControllerNotifier()],
    )
