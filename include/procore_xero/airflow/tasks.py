"""The bodies of the extract tasks, so DAG files stay wiring only. Each reads its window, Params and task
try from the running task's context and returns the extract's counts (small, secret-free: fit for XCom)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from airflow.sdk.exceptions import AirflowFailException, AirflowNotFoundException

from procore_xero.airflow.tenancy import pair_named
from procore_xero.clients import RateLimitExhausted
from procore_xero.extract.runner import ExtractStopped
from procore_xero.staging import TaskTry, open_staging

log = logging.getLogger(__name__)  # the task's log: Airflow 3's RuntimeTaskInstance has no ``log``


def _window(context: Any) -> tuple[datetime | None, datetime]:
    end = context.get("data_interval_end") or context.get("logical_date") or datetime.now(UTC)
    return context.get("data_interval_start"), end


def _full_refresh(context: Any) -> bool:
    return bool(context["params"].get("full_refresh", False))


@contextmanager
def spent_limit_fails_for_good() -> Iterator[None]:
    """A spent rate limit (Xero's daily one, say) will not come back within Airflow's retry delay: fail the
    task without retrying; the next scheduled run resumes where this one stopped."""
    try:
        yield
    except (ExtractStopped, RateLimitExhausted) as error:
        raise AirflowFailException(str(error)) from None


def extract_procore_task(object_type: str, tenant: str, project_id: int | None = None) -> dict[str, Any]:
    from procore_xero.extract.procore import extract_procore

    context = get_current_context()
    start, end = _window(context)
    with spent_limit_fails_for_good():
        return extract_procore(
            pair_named(tenant).procore(),
            open_staging(),
            object_type,
            task_try=TaskTry.from_task_instance(context["ti"]),
            window_start=start,
            window_end=end,
            project_id=project_id,
            full_refresh=_full_refresh(context),
        )


def procore_projects(tenants: list[str]) -> list[dict[str, Any]]:
    """The (tenant, project) pairs to fan out over: every staged project of each tenant's company, or only
    the ``project_id`` Param's. A tenant whose company cannot be read is left out (its own tasks failed)."""
    from procore_xero.extract.procore import staged_project_ids

    context = get_current_context()
    chosen, engine = context["params"].get("project_id"), open_staging()
    pairs = []
    for name in tenants:
        try:
            company_id = pair_named(name).key().company_id
        except (AirflowNotFoundException, KeyError, ValueError) as error:  # its connection: not the others
            log.error("tenant %s left out: %s", name, error)
            continue
        pairs += [
            {"tenant": name, "project_id": project_id}
            for project_id in staged_project_ids(engine, company_id)
            if not chosen or project_id == int(chosen)
        ]
    return pairs


def extract_xero_task(object_type: str, tenant: str) -> dict[str, Any]:
    from procore_xero.extract.xero import extract_xero

    context = get_current_context()
    start, _ = _window(context)
    with spent_limit_fails_for_good():
        return extract_xero(
            pair_named(tenant).xero(),
            open_staging(),
            object_type,
            task_try=TaskTry.from_task_instance(context["ti"]),
            window_start=start,
            full_refresh=_full_refresh(context),
        )
