"""``make airflow``'s mail catcher: a real SMTP server on loopback (aiosmtpd) that keeps each message it
receives as an ``.eml`` file, so the drift report and the approval mail can be opened like any mail."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from sandbox.process import free_port


class MailFolder:
    """An aiosmtpd handler writing ``<UTC time>-<n>.eml`` (with the envelope recipients as
    ``X-Envelope-To``: Bcc never shows in the headers) and telling ``on_message`` about it."""

    def __init__(self, directory: Path, on_message: Callable[[Path, EmailMessage], None] | None = None):
        self.directory, self.on_message = directory, on_message
        self.counter = itertools.count(1)
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{next(self.counter):04d}.eml"
        partial = path.with_suffix(".part")  # readers see whole files only
        partial.write_bytes(bytes(message))
        partial.replace(path)
        if self.on_message:
            self.on_message(path, message)
        return "250 OK"


def read_mail(directory: Path) -> list[EmailMessage]:
    """Every message kept in ``directory``, oldest first."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def smtp_connection(port: int) -> str:
    """``AIRFLOW_CONN_SMTP_DEFAULT`` for the catcher: plain SMTP on loopback, no login."""
    return json.dumps(
        {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": port,
            "extra": {"disable_tls": True, "disable_ssl": True},
        }
    )


@contextmanager
def mail_catcher(
    directory: Path, port: int | None = None, on_message: Callable[[Path, EmailMessage], None] | None = None
) -> Iterator[int]:
    """The server on ``port`` (else a free one) for the block; yields the port."""
    port = port or free_port()
    server = Controller(MailFolder(directory, on_message), hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield port
    finally:
        server.stop()
