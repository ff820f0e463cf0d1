"""The body of the ``procore_feeds`` task: one tenant's event-driven Procore cycle, summarised for XCom;
and what ``xero_extract``'s task reads on a delivery-driven, a scheduled or a manual run.

Registers the hook (idempotent; only when the intake's public URL and token are configured), reads what
the deliveries named, then spends the sweep's budget. The window ends now: deliveries are about the present.
Like ``procore_extract``, it announces the finished cycle on the tenant's one extract event, so the sync runs
once per cycle.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from airflow.sdk import get_current_context
from sqlalchemy import Engine

from procore_xero.airflow.tasks import announce_extract, spent_limit_fails_for_good
from procore_xero.airflow.tenancy import TenantPair, pair_named
from procore_xero.clients import RateLimitExhausted, XeroClient
from procore_xero.extract.account import ACCOUNT_WIDE, AccountStatus
from procore_xero.staging import TaskTry, open_staging

log = logging.getLogger(__name__)
INTAKE_URL_ENV = "PXSYNC_INTAKE_URL"  # where Procore reaches the intake, e.g. https://sync.example/procore
TOKEN_ENV = "PXSYNC_PROCORE_WEBHOOK_TOKEN"  # the Authorization the hook sends and the intake expects


def procore_feed_cycle(tenant: str) -> dict[str, Any]:
    from procore_xero.events.registration import ensure_procore_hook
    from procore_xero.extract.changes import read_changes
    from procore_xero.extract.feeds import FeedSettings
    from procore_xero.extract.sweep import run_sweep

    context = get_current_context()
    pair = pair_named(tenant)
    client, engine = pair.procore(), open_staging()
    feeds = FeedSettings.from_feeds(pair.spec().settings.feeds)
    task_try = TaskTry.from_task_instance(context["ti"])
    url, token = os.environ.get(INTAKE_URL_ENV), os.environ.get(TOKEN_ENV)
    hook: dict[str, Any] | None = None
    if url and token:
        hook = ensure_procore_hook(client, url, token, feeds.triggers()).summary()
    else:
        log.warning(
            "%s or %s unset: no webhook registered, the sweep alone reads Procore", INTAKE_URL_ENV, TOKEN_ENV
        )
    now = datetime.now(UTC)
    with spent_limit_fails_for_good():
        changes = read_changes(client, engine, feeds, task_try=task_try, window_end=now)
        sweep = run_sweep(client, engine, feeds, task_try=task_try, window_end=now, now=now)
    summary = {
        "system": "procore",
        "status": AccountStatus.SUCCESS,  # a failed read fails the task (Airflow retries): no partial cycle
        "reads": changes["reads"] + sweep["read"],
        "failed_reads": 0,
        "api_calls": changes["api_calls"] + sweep["api_calls"],
        "failures": [],
        "hook": hook,
        "changes": changes,
        "sweep": sweep,
    }
    return announce_extract(context, "procore", tenant, summary)


def read_xero_deliveries(
    pair: TenantPair, client: XeroClient, engine: Engine, task_try: TaskTry
) -> dict[str, Any]:
    """Stage the contacts and invoices the tenant's pending Xero deliveries name (none pending: no call).
    A read that fails is logged and reported (``failure``) and its deliveries stay pending, so one bad
    answer never holds up the scheduled reads; a spent limit or refused credentials stop the task."""
    from procore_xero.extract.feeds import XeroFeedSettings
    from procore_xero.extract.xero_changes import read_xero_changes

    feeds = XeroFeedSettings.from_feeds(pair.spec().settings.feeds)
    calls_before = client.api.calls.total
    try:
        return read_xero_changes(client, engine, feeds, task_try=task_try)
    except (*ACCOUNT_WIDE, RateLimitExhausted):
        raise
    except Exception as error:  # the deliveries stay pending: the next run reads them again
        log.exception("tenant %s: the Xero deliveries' records could not be read", pair.name)
        return {
            "reads": 0,
            "records_read": 0,
            "api_calls": client.api.calls.total - calls_before,
            "failure": f"xero deliveries: {str(error)[:300]}",
        }


def with_deliveries(summary: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The tenant's extract summary with the delivery-driven read added in (a failed one makes it partial)."""
    merged = {
        **summary,
        "reads": summary["reads"] + changes["reads"],
        "records_read": summary["records_read"] + changes["records_read"],
        "api_calls": summary["api_calls"] + changes["api_calls"],
        "changes": changes,
    }
    if "failure" in changes:
        merged["status"] = AccountStatus.PARTIAL
        merged["failed_reads"] = summary["failed_reads"] + 1
        merged["failures"] = [changes["failure"], *summary["failures"]]
    return merged


def xero_types_to_read(
    context: Any, pair: TenantPair, client: XeroClient, engine: Engine
) -> list[str] | None:
    """Besides the deliveries: nothing on a run the deliveries started, the types due on a scheduled run
    (``settings.feeds.xero``), every type (None) on a manual run or a backfill (full refresh, replay)."""
    from airflow.utils.types import DagRunType

    from procore_xero.extract.feeds import XeroFeedSettings
    from procore_xero.extract.xero_changes import due_xero_types

    run_type = context["dag_run"].run_type
    if run_type == DagRunType.ASSET_TRIGGERED:
        return []
    if run_type == DagRunType.SCHEDULED:
        feeds = XeroFeedSettings.from_feeds(pair.spec().settings.feeds)
        return due_xero_types(engine, str(client.tenant_id), feeds, datetime.now(UTC))
    return None


def discard_unclaimed_xero(summaries: list[dict[str, Any]]) -> int:
    """Once every tenant's task has reported (so each has read its own deliveries), the Xero deliveries of
    organisations no tenant pairs with: logged and marked consumed, nothing read."""
    from procore_xero.events.store import discard_unclaimed
    from procore_xero.tenants import tenant_names

    accounts = {summary["tenant"]: summary["account"] for summary in summaries}
    if set(tenant_names()) - set(accounts):
        return 0  # a tenant's task failed: its account is unknown here, its deliveries must wait for it
    return discard_unclaimed(open_staging(), "xero", accounts.values())
