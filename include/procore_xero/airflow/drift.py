"""The ``drift_report`` task body and its failure mail, so the DAG file stays wiring only.

Nothing heavy at import (the DAG file imports the notifier while parsing): the report package, pandas, GX
and matplotlib load inside the task.
"""

from __future__ import annotations

import html
import logging
from datetime import date
from email.message import EmailMessage
from typing import Any

from airflow.sdk import BaseNotifier, get_current_context

DEFAULT_UI = "http://localhost:8080"
log = logging.getLogger(__name__)  # the task's log: Airflow 3's RuntimeTaskInstance has no ``log``


def ui_url() -> str:
    """Airflow's UI base URL, for links in the mail."""
    from airflow.configuration import conf

    return conf.get("api", "base_url", fallback=None) or DEFAULT_UI


def report_day(context: Any) -> date:
    """The ``date`` Param, else the run's logical date (its trigger time when it has none)."""
    chosen = (context.get("params") or {}).get("date")
    if chosen:
        return date.fromisoformat(str(chosen))
    moment = context.get("logical_date") or context["dag_run"].run_after
    return moment.date()


def record_links(pair: Any) -> Any:
    """Web links for the tenant's records, on the hosts its two connections name."""
    from procore_xero.airflow.hooks import ProcoreHook, XeroHook
    from procore_xero.reports.links import RecordLinks

    return RecordLinks.from_api_hosts(
        ProcoreHook(pair.tenant.procore_conn_id).api_url(), XeroHook(pair.tenant.xero_conn_id).api_url()
    )


def drift_report_task(tenant_name: str) -> dict[str, Any]:
    """Build the tenant's report from staging, mail it to its ``controller_emails``, keep it and its
    finding keys."""
    from procore_xero.airflow.mail import send_message
    from procore_xero.airflow.sync_tasks import base_currency  # no job costs yet: one call to Xero
    from procore_xero.airflow.tenancy import pair_named
    from procore_xero.reports import make_report
    from procore_xero.reports.history import history_dir, previous_keys, save_keys
    from procore_xero.staging import open_staging
    from procore_xero.staging.engine import data_dir
    from procore_xero.staging.job_costs import read_job_costs

    context = get_current_context()
    pair = pair_named(tenant_name)
    engine, tenant = open_staging(), pair.key()
    spec, day = pair.spec(), report_day(context)
    history = history_dir(data_dir(), tenant.tenant_id)
    base = None if read_job_costs(engine, tenant) else base_currency(tenant_name)
    report, rendered = make_report(
        engine,
        tenant,
        spec,
        report_date=day,
        base_currency=base,
        ui_url=ui_url(),
        previous=previous_keys(history, day),
        links=record_links(pair),
    )
    recipients = list(report.settings.recipients)
    history.mkdir(parents=True, exist_ok=True)
    (history / f"{day.isoformat()}.eml").write_bytes(bytes(rendered.message))
    if recipients:
        send_message(rendered.message, recipients)
    else:
        log.warning("no controller_emails in the settings: the report is kept, not mailed")
    save_keys(history, day, report.findings)
    return {
        "subject": report.subject(),
        "sent_to": recipients,
        "findings": len(report.findings),
        "projects_in_drift": report.projects_in_drift,
        "money_at_stake": str(report.money_at_stake),
        "money_held": str(report.money_held),
        "base_currency": report.base_currency,
        "new": report.new_findings,
        "waiting": len(report.waiting),
        "timings": report.timings,
    }


class DriftFailureNotifier(BaseNotifier):
    """A failed run mails the controller that no report comes (rather than silence or a stale one)."""

    template_fields = ()

    def notify(self, context: Any) -> None:
        from procore_xero.airflow.mail import send_message
        from procore_xero.airflow.tenancy import pair_of

        settings = pair_of(context).spec().settings
        recipients = list(settings.controller_emails)
        if not recipients:
            self.log.warning("no controller_emails in the settings: nobody to tell that the report failed")
            return
        send_message(failure_message(context, settings.from_email, recipients), recipients)


def failure_message(context: Any, from_email: str, recipients: list[str]) -> EmailMessage:
    """Which run and task failed, why, and where its log is."""
    ti, run = context["ti"], context["dag_run"]
    try:
        day = report_day(context).isoformat()
    except (KeyError, ValueError, AttributeError):
        day = "today"
    link = f"{ui_url().rstrip('/')}/dags/{ti.dag_id}/runs/{run.run_id}/tasks/{ti.task_id}"
    error = str(context.get("exception") or "unknown error")
    text = (
        f"The drift report for {day} was not produced: task {ti.task_id} of run {run.run_id} failed "
        f"after its retries.\n\nError: {error}\n\nLog: {link}\n\nThe figures in earlier reports are not "
        "current; the next nightly run tries again.\n"
    )
    message = EmailMessage()
    message["Subject"] = f"Procore ↔ Xero drift report {day}: the run failed"
    message["From"], message["To"] = from_email, ", ".join(recipients)
    message.set_content(text)
    message.add_alternative(
        f"<html><body><p>The drift report for {html.escape(day)} was <b>not produced</b>: task "
        f"{html.escape(ti.task_id)} of run {html.escape(run.run_id)} failed after its retries.</p>"
        f"<p>Error: <code>{html.escape(error)}</code></p>"
        f'<p>Log: <a href="{html.escape(link)}">{html.escape(link)}</a></p>'
        "<p>The figures in earlier reports are not current; the next nightly run tries again.</p>"
        "</body></html>",
        subtype="html",
    )
    return message
