"""The bodies of the extract tasks, so DAG files stay wiring only. Each reads its window, Params and task
try from the running task's context and returns the extract's counts (small, secret-free: fit for XCom)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException

from procore_xero.airflow.hooks import ProcoreHook, XeroHook
from procore_xero.extract.runner import ExtractStopped
from procore_xero.staging import TaskTry, open_staging


def _window(context: Any) -> tuple[datetime | None, datetime]:
    end = context.get("data_interval_end") or context.get("logical_date") or datetime.now(UTC)
    return context.get("data_interval_start"), end


def _full_refresh(context: Any) -> bool:
    return bool(context["params"].get("full_refresh", False))


def _stopped_for_good(error: ExtractStopped) -> AirflowFailException:
    """A spent rate limit will not come back within Airflow's retry delay: fail without retrying."""
    return AirflowFailException(str(error))


def extract_procore_task(object_type: str, project_id: int | None = None) -> dict[str, Any]:
    from procore_xero.extract.procore import extract_procore

    context = get_current_context()
    start, end = _window(context)
    try:
        return extract_procore(
            ProcoreHook().get_client(),
            open_staging(),
            object_type,
            task_try=TaskTry.from_task_instance(context["ti"]),
            window_start=start,
            window_end=end,
            project_id=project_id,
            full_refresh=_full_refresh(context),
        )
    except ExtractStopped as error:
        raise _stopped_for_good(error) from None


def procore_project_ids() -> list[int]:
    """The projects to fan out over: the ``project_id`` Param, else every staged project of the company."""
    from procore_xero.extract.procore import staged_project_ids

    chosen = get_current_context()["params"].get("project_id")
    if chosen:
        return [int(chosen)]
    company_id = int(ProcoreHook().get_connection(ProcoreHook.default_conn_name).extra_dejson["company_id"])
    return staged_project_ids(open_staging(), company_id)


def extract_xero_task(object_type: str) -> dict[str, Any]:
    from procore_xero.extract.xero import extract_xero

    context = get_current_context()
    start, _ = _window(context)
    try:
        return extract_xero(
            XeroHook().get_client(),
            open_staging(),
            object_type,
            task_try=TaskTry.from_task_instance(context["ti"]),
            window_start=start,
            full_refresh=_full_refresh(context),
        )
    except ExtractStopped as error:
        raise _stopped_for_good(error) from None
