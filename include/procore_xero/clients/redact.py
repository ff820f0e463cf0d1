"""Keeps tokens and secrets out of logs, exception messages and reprs.

Every secret a client handles (client secrets, access and refresh tokens) is registered here the moment
it is read or received; ``redact`` masks registered values and anything shaped like a credential, and the
package logger carries a filter that applies it to every record. Inside an Airflow task, Airflow's secrets
masker is told each value too, so other loggers' lines are masked as well.
"""

from __future__ import annotations

import logging
import re
import sys
import threading

MASK = "***"
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words

_QUOTE = r"(?:[\"']|%22|%27)?"  # JSON, Python reprs, URL-encoded quotes
_PATTERNS = (
    re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"),
    # snake_case, camelCase or kebab-case keys; ``=`` / ``:`` also URL-encoded (a form echoed in a URL)
    re.compile(
        r"(?i)((?:access|refresh|id)[_-]?token|client[_-]?secret|password|passwd|api[_-]?key)"
        rf"({_QUOTE}\s*(?:[:=]|%3[AD])\s*{_QUOTE})[^\"'&\s,;}}\]]+"
    ),
)

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a value that must never be shown (and tell Airflow's masker, inside a task)."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            new = value not in _secrets
            _secrets.add(value)
        if new:
            _tell_airflow(value)


def _tell_airflow(value: str) -> None:
    """Inside an Airflow task (its logging is loaded), Airflow's masker learns the value too: every line
    of the task log is then masked, whatever logger wrote it, in the task and in the supervisor that writes
    the file. Outside Airflow (benchmarks, tools) nothing is imported."""
    airflow_log = sys.modules.get("airflow.sdk.log")
    if airflow_log is not None:
        airflow_log.mask_secret(value)


def redact(text: str) -> str:
    """``text`` with every registered secret and credential-shaped fragment replaced by ``***``."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


log = logging.getLogger("procore_xero.clients")
log.addFilter(RedactingFilter())
