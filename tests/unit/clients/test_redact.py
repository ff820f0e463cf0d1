"""Secrets never reach logs or exception messages."""

from __future__ import annotations

import logging

import pytest

from procore_xero.clients.errors import ApiError
from procore_xero.clients.redact import log, redact, register_secret


def test_registered_secrets_and_credential_shapes_are_masked() -> None:
    register_secret("s3cr3t-value-123")
    text = (
        "secret s3cr3t-value-123; Authorization: Bearer abc.DEF-123; refresh_token=zzz999&x=1; "
        '{"access_token": "tok123", "client_secret":"cs456"}'
    )
    masked = redact(text)
    for secret in ("s3cr3t-value-123", "abc.DEF-123", "zzz999", "tok123", "cs456"):
        assert secret not in masked
    assert "Bearer ***" in masked and "refresh_token=***&x=1" in masked


def test_exception_messages_and_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("another-secret-987")
    error = ApiError("GET", "/x", 500, "echoed another-secret-987")
    assert "another-secret-987" not in str(error) and "***" in error.detail
    with caplog.at_level(logging.INFO, logger=log.name):
        log.warning("token %s failed", "another-secret-987")
        try:
            raise RuntimeError("inside another-secret-987")
        except RuntimeError:
            log.exception("boom")
    assert "another-secret-987" not in caplog.text
    assert "token *** failed" in caplog.text
