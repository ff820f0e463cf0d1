"""The controller's Human-in-the-loop task, shared by both directions' DAGs (Airflow's Required Actions).

It lists the tenant's held records (``held_for_approval``'s output) and offers, per approvable record, an
*Approve* and a *Reject* option to tick (``multiple``). Only the tenant's approvers may answer: Airflow
enforces ``assigned_users`` on the page and its REST API, and on resume this task takes the answer Airflow
built from its own Human-in-the-loop record (never XCom), checks the responder again, and
records the decisions in the exception queue under the responder's id and this run. ``apply_approvals``
posts only what this task recorded; a task marked successful by hand, or an XCom written by hand, records
nothing and so posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from procore_xero.airflow.approval_page import (
    LEAVE_PENDING,
    ApprovalAnswerError,
    HeldRecord,
    all_options,
    decisions,
    page_body,
)
from procore_xero.airflow.notify import ControllerNotifier

ANSWER_WITHIN = timedelta(minutes=50)  # then the records stay pending for the next hourly run


class ApprovalRefused(AirflowFailException):
    """An answer that must not be acted on (no response recorded by Airflow, one from someone else, one
    naming what was not offered): the task fails at once, no retry asks or posts again."""


class ControllerApproval(HITLOperator):
    """Skips (no Required Action, no mail) when its tenant has nothing waiting. A short-circuit task
    upstream cannot do this inside a task group mapped over tenants: the approval's mapped instance does
    not exist yet when the upstream task would skip it."""

    template_fields: Sequence[str] = (*HITLOperator.template_fields, "listing")

    def __init__(self, *, listing: Any, **kwargs: Any) -> None:
        super().__init__(options=[LEAVE_PENDING], defaults=[LEAVE_PENDING], multiple=True, **kwargs)
        self.listing = listing

    def records(self) -> list[HeldRecord]:
        return [HeldRecord.from_dict(entry) for entry in self.listing or []]

    def execute(self, context: Any) -> Any:
        from procore_xero.airflow.approvers import tenant_approvers
        from procore_xero.airflow.tenancy import pair_of

        records = self.records()
        if not records:
            raise AirflowSkipException("no records wait for the controller's approval")
        self.body = page_body(records)
        self.options = all_options(records)
        approvers = tenant_approvers(pair_of(context).tenant)
        self.assigned_users = [{"id": user, "name": user} for user in approvers]
        return super().execute(context)

    def validate_chosen_options(self, chosen_options: list[str]) -> None:
        """Against the options this run offered (the parsed DAG knows only the default one)."""
        decisions(chosen_options, self.records())

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        from procore_xero.staging import ExceptionDecisionError

        try:
            super().execute_complete(context, event)
            return record_answer(context, event, self.records())
        except (ApprovalAnswerError, ExceptionDecisionError) as error:
            raise ApprovalRefused(f"{self.task_id}: {error}; nothing is decided or posted") from None


def record_answer(context: Any, event: dict[str, Any], records: list[HeldRecord]) -> dict[str, Any]:
    """Airflow's recorded answer, its responder checked, stored as decisions; what was decided.

    ``event`` is the resume payload Airflow's API built from its Human-in-the-loop record when the answer
    was saved (``HITLDetail.as_resume_event_payload``), kept in the task instance's resume arguments, which
    no REST call can write. (Airflow 3.3.2's task supervisor does not serve the SDK's
    ``get_hitl_detail_content_detail``; reading the record again is not possible from inside the task.)
    """
    from procore_xero.airflow.approvers import tenant_approvers
    from procore_xero.airflow.sync_tasks import record_decisions
    from procore_xero.airflow.tenancy import pair_of

    ti = context["ti"]
    where = f"{ti.task_id}[{ti.map_index}]"
    chosen = list(event.get("chosen_options") or [])
    user = event.get("responded_by_user")
    responder = (user.get("id") if isinstance(user, dict) else getattr(user, "id", None)) if user else None
    if responder is None:
        if chosen != [LEAVE_PENDING] or not event.get("timedout"):
            raise ApprovalRefused(f"{where}: Airflow recorded no responder for the answer {chosen}")
        return {"approve": [], "reject": [], "decided_by": None}
    pair = pair_of(context)
    allowed = tenant_approvers(pair.tenant)
    if str(responder) not in allowed:
        raise ApprovalRefused(
            f"{where}: {responder!r} answered, but only {allowed} may approve for tenant {pair.name!r}; "
            "nothing is decided or posted"
        )
    approve, reject = decisions(chosen, records)
    return record_decisions(approve, reject, str(responder), pair, run_id=context["run_id"])


def controller_approval(subject: str, listing: Any) -> ControllerApproval:
    """Shows ``listing`` (the ``held_for_approval`` task's output: its tenant's held records, as the task
    instance of the same map index returned them) as a table and one option per decision."""
    return ControllerApproval(
        task_id="controller_approval",
        subject=subject,
        listing=listing,
        response_timeout=ANSWER_WITHIN,
        notifiers=[ControllerNotifier()],
    )
