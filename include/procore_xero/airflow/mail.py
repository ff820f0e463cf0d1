"""Sending a complete MIME message through Airflow's SMTP provider (connection ``smtp_default``).

The provider's ``send_email_smtp`` builds HTML-only mail; the drift report needs a plain-text alternative
and an inline chart. This hook keeps everything else of the provider (connection, TLS/SSL, login or OAuth2,
retry limit) and only sends the message it is given.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from airflow.providers.smtp.hooks.smtp import SmtpHook


class MessageSmtpHook(SmtpHook):
    """``with MessageSmtpHook() as smtp: smtp.send_message(message, recipients)``."""

    def send_message(self, message: EmailMessage, recipients: Sequence[str]) -> None:
        client = self._smtp_client
        if not isinstance(client, smtplib.SMTP):  # None, or the async client of ``async with``
            raise RuntimeError("use the hook as a context manager: the SMTP client is not connected")
        for attempt in range(self.smtp_retry_limit + 1):
            try:
                client.send_message(message, to_addrs=list(recipients))
                return
            except Exception:
                if attempt == self.smtp_retry_limit:
                    raise


def send_message(message: EmailMessage, recipients: Sequence[str], conn_id: str = "smtp_default") -> None:
    hook = MessageSmtpHook(smtp_conn_id=conn_id)
    with hook:  # SmtpHook.__enter__ connects and returns the hook itself, typed as the base class
        hook.send_message(message, recipients)
