"""The bodies of the extract tasks, so DAG files stay wiring only. Each reads its window, Params and task
try from the running task's context and returns one tenant's summary (small, secret-free: one XCom),
which is also the extra of the tenant's extract-finished Asset event."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from airflow.sdk import Asset, get_current_context
from airflow.sdk.exceptions import AirflowFailException

from procore_xero.airflow.replay import replay_range
from procore_xero.airflow.tenancy import pair_named
from procore_xero.clients import RateLimitExhausted
from procore_xero.extract.runner import ExtractStopped
from procore_xero.extract.specs import extracted_uri
from procore_xero.staging import TaskTry, open_staging
from procore_xero.tenants import tenant_names

log = logging.getLogger(__name__)  # the task's log: Airflow 3's RuntimeTaskInstance has no ``log``

CONCURRENCY_ENV = "PXSYNC_EXTRACT_CONCURRENCY"
DEFAULT_CONCURRENCY, MAX_CONCURRENCY = 4, 16


def _window(context: Any) -> tuple[datetime | None, datetime]:
    """The ``from`` / ``to`` Params (a replay: one run re-reads that range), else the data interval."""
    chosen = replay_range(context["params"])
    if chosen is not None:
        return chosen
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


def extract_concurrency() -> int:
    """Projects read at once by a tenant's Procore extract (``PXSYNC_EXTRACT_CONCURRENCY``, default 4): each
    worker still waits for its slot in the company's shared rate budget."""
    value = os.environ.get(CONCURRENCY_ENV, str(DEFAULT_CONCURRENCY))
    if not value.isdigit() or not 1 <= int(value) <= MAX_CONCURRENCY:
        raise AirflowFailException(
            f"{CONCURRENCY_ENV} must be a whole number from 1 to {MAX_CONCURRENCY}, not {value!r}"
        )
    return int(value)


def announce_extract(context: Any, system: str, tenant: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Put the tenant's summary on the run's one extract-finished Asset event and return it (the XCom)."""
    summary = {"tenant": tenant, **summary}
    context["outlet_events"][Asset(extracted_uri(system))].extra = summary
    for failure in summary["failures"]:
        log.warning("tenant %s: %s", tenant, failure)
    return summary


def extract_procore_tenant(tenant: str) -> dict[str, Any]:
    """The tenant's whole Procore extract (``extract.account``): its summary, also its Asset event's extra."""
    from procore_xero.extract.account import extract_procore_account

    context = get_current_context()
    start, end = _window(context)
    pair = pair_named(tenant)
    summary = extract_procore_account(
        pair.procore,
        open_staging(),
        task_try=TaskTry.from_task_instance(context["ti"]),
        window_start=start,
        window_end=end,
        full_refresh=_full_refresh(context),
        project_id=context["params"].get("project_id"),
        concurrency=extract_concurrency(),
    )
    return announce_extract(context, "procore", tenant, summary)


def extract_xero_tenant(tenant: str) -> dict[str, Any]:
    """The tenant's Xero extract: first the records its webhook deliveries named, then the types the run
    reads (``airflow.feeds.xero_types_to_read``); its summary, also its Asset event's extra."""
    from procore_xero.airflow.feeds import read_xero_deliveries, with_deliveries, xero_types_to_read
    from procore_xero.extract.account import extract_xero_account

    context = get_current_context()
    start, _ = _window(context)
    pair, engine = pair_named(tenant), open_staging()
    client, task_try = pair.xero(), TaskTry.from_task_instance(context["ti"])
    with spent_limit_fails_for_good():
        changes = read_xero_deliveries(pair, client, engine, task_try)
    summary = extract_xero_account(
        client,
        engine,
        task_try=task_try,
        window_start=start,
        full_refresh=_full_refresh(context),
        object_types=xero_types_to_read(context, pair, client, engine),
    )
    return announce_extract(context, "xero", tenant, with_deliveries(summary, changes))


def extract_outcome(system: str, summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fail the run (without retrying: the next run resumes) when a tenant's extract was partial or did not
    finish at all, naming them; the other tenants' events were emitted and their syncs go ahead."""
    by_tenant = {summary["tenant"]: summary for summary in summaries}
    missing = [name for name in tenant_names() if name not in by_tenant]
    partial = [name for name, summary in by_tenant.items() if summary["status"] != "success"]
    if missing or partial:
        raise AirflowFailException(
            f"{system} extract: tenant(s) {partial} partial (their failures: XCom and log), "
            f"tenant(s) {missing} failed before finishing"
        )
    return {"system": system, "tenants": len(by_tenant), "api_calls": sum(s["api_calls"] for s in summaries)}
