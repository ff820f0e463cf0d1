"""A real SMTP server on loopback (aiosmtpd) as Airflow's ``smtp_default``, keeping what it receives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from sandbox.process import free_port
from tools.extract_env import patched_environ


class Mailbox:
    """An aiosmtpd handler: (envelope recipients, parsed message) per message received."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


@contextmanager
def smtp_default(box: Mailbox | None = None, login: tuple[str, str] | None = None) -> Iterator[Mailbox]:
    """The server running and ``AIRFLOW_CONN_SMTP_DEFAULT`` pointing at it for the block. With ``login``
    (user, password) the server requires it, checked by ``box.authenticate``."""
    box, port = box or Mailbox(), free_port()
    auth: dict[str, Any] = {"authenticator": box.authenticate, "auth_require_tls": False} if login else {}
    server = Controller(box, hostname="127.0.0.1", port=port, **auth)
    server.start()
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True},
    }
    if login:
        connection["login"], connection["password"] = login
    try:
        with patched_environ({"AIRFLOW_CONN_SMTP_DEFAULT": json.dumps(connection)}):
            yield box
    finally:
        server.stop()
