"""What the secrets test needs besides the DAG fixtures: task logs in files, and mail that needs a login."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.dags.mailbox import Mailbox, smtp_default

SMTP_USER = "pxsync-mailer"


@pytest.fixture
def task_log(request: pytest.FixtureRequest) -> Iterator[Path]:
    """A task log file under ``AIRFLOW_HOME/logs`` for the test's in-process DAG runs.

    ``dag.test()`` in Airflow 3.3 runs each task in-process (``InProcessTestSupervisor``) and its log goes
    to stdout: no file is written under ``AIRFLOW_HOME/logs``, unlike a worker's supervisor. This points
    Airflow's own logging set-up at a file there, as the supervisor writes it: JSON lines through the same
    processors, the secrets masker included. Restored to the console afterwards.
    """
    from airflow.configuration import conf
    from airflow.sdk.log import configure_logging

    path = Path(conf.get("logging", "base_log_folder")) / "dag_test" / f"{request.node.name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with path.open("ab") as output:
        configure_logging(json_output=True, output=output, cache_logger_on_first_use=False)
        try:
            yield path
        finally:
            configure_logging.__wrapped__()  # the console again (the cached call would do nothing)


@dataclass
class LoginMailbox(Mailbox):
    """A ``Mailbox`` whose server accepts one login, recording every attempt's outcome."""

    password: str = field(default_factory=lambda: "smtp-" + secrets.token_urlsafe(18))
    logins: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        accepted = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            self.password.encode(),
        )
        self.logins.append(accepted)
        return AuthResult(success=accepted)


@pytest.fixture
def smtp_login() -> Iterator[LoginMailbox]:
    """``smtp_default`` on a loopback SMTP server that requires ``SMTP_USER`` and a random password."""
    box = LoginMailbox()
    with smtp_default(box, login=(SMTP_USER, box.password)):
        yield box
