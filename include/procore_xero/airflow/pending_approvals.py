"""Which open exceptions a pending approval offers, and the address of that approval in Airflow's UI.

A Required Action lists its records as options (``Approve #<exception id>: …``), so the exception ids a
waiting approval asks about are read from the options Airflow stored for it: the page links to the very
form that decides them, and to none once it was answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from procore_xero.airflow.approval_page import OPTION_PATTERN


@dataclass(frozen=True)
class PendingApproval:
    """A Required Action that has no answer yet: where it is and the options it offers."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    options: tuple[str, ...]

    def url(self) -> str:
        """Its page in Airflow's UI (the route the Required Actions list links to)."""
        mapped = f"/mapped/{self.map_index}" if self.map_index >= 0 else ""
        run, task = quote(self.run_id, safe=""), quote(self.task_id, safe="")
        return f"/dags/{quote(self.dag_id, safe='')}/runs/{run}/tasks/{task}{mapped}/required_actions"


def approval_links(pending: Iterable[PendingApproval]) -> dict[int, str]:
    """Exception id -> the address of the pending approval that offers it (the newest run's, if several)."""
    links: dict[int, str] = {}
    for approval in sorted(pending, key=lambda a: a.run_id):
        for option in approval.options:
            if match := OPTION_PATTERN.match(option):
                links[int(match.group(2))] = approval.url()
    return links


def pending_approvals() -> list[PendingApproval]:
    """Every Human-in-the-loop task waiting for an answer, from Airflow's metadata database (the API
    server's own session: this runs inside Airflow's API server)."""
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from sqlalchemy import select

    query = (
        select(TaskInstance.dag_id, TaskInstance.run_id, TaskInstance.task_id, TaskInstance.map_index)
        .add_columns(HITLDetail.options)
        .join(HITLDetail, HITLDetail.ti_id == TaskInstance.id)
        .where(HITLDetail.responded_at.is_(None), TaskInstance.state == TaskInstanceState.AWAITING_INPUT)
    )
    with create_session() as session:
        return [
            PendingApproval(row.dag_id, row.run_id, row.task_id, int(row.map_index), tuple(row.options or ()))
            for row in session.execute(query)
        ]
