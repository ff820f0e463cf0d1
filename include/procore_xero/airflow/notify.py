"""Telling the controller that records wait for approval: one e-mail through Airflow's SMTP provider.

Runs as the approval task's notifier, when the task parks for input, so the link points at the exact
Required Actions page. Recipients: the tenant's ``controller_emails`` (tenants file, else settings); none,
no mail.
"""

from __future__ import annotations

import html
from typing import Any

from airflow.sdk import BaseNotifier

DEFAULT_UI = "http://localhost:8080"


class ControllerNotifier(BaseNotifier):
    """E-mails ``controller_emails`` the list of held records and the link to approve or reject them."""

    template_fields = ()

    def notify(self, context: Any) -> None:
        from airflow.configuration import conf
        from airflow.providers.smtp.hooks.smtp import SmtpHook
        from airflow.providers.standard.operators.hitl import HITLOperator

        from procore_xero.airflow.tenancy import pair_of

        settings = pair_of(context).spec().settings
        recipients = list(settings.controller_emails)
        if not recipients:
            self.log.info("no controller_emails in the settings: nobody to tell")
            return
        link = HITLOperator.generate_link_to_ui_from_context(
            context=context, base_url=conf.get("api", "base_url", fallback=None) or DEFAULT_UI
        )
        listing = context["task"].body or ""
        with SmtpHook(smtp_conn_id="smtp_default") as smtp:
            smtp.send_email_smtp(
                to=recipients,
                from_email=settings.from_email,
                subject="Procore → Xero: records wait for your approval",
                html_content=approval_mail(listing, link),
            )


def approval_mail(listing: str, link: str) -> str:
    """The mail body: the held records as the approval task lists them, and where to decide."""
    return (
        "<p>Records from Procore are held for your approval. Decide on Airflow's Required Actions page: "
        f'<a href="{html.escape(link)}">{html.escape(link)}</a></p>'
        f"<pre>{html.escape(listing)}</pre>"
    )
