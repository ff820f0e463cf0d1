"""Credential-shaped fragments are masked even when the value was never registered: the shapes a token
takes in a JSON body, a Python repr, a form, a URL or a header."""

from __future__ import annotations

import pytest

from procore_xero.clients.errors import ClientError
from procore_xero.clients.redact import redact, register_secret

VALUE = "unregistered-Value-123"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f'{{"access_token": "{VALUE}"}}', '{"access_token": "***"}'),
        (
            f"{{'refresh_token': '{VALUE}', 'expires_in': 1800}}",
            "{'refresh_token': '***', 'expires_in': 1800}",
        ),
        (
            f"grant_type=refresh_token&refresh_token={VALUE}&x=1",
            "grant_type=refresh_token&refresh_token=***&x=1",
        ),
        (f'{{"accessToken":"{VALUE}"}}', '{"accessToken":"***"}'),
        (f"clientSecret={VALUE}", "clientSecret=***"),
        (f"client-secret: {VALUE}", "client-secret: ***"),
        (f"https://x/cb?client_secret%3D{VALUE}%26y%3D1", "https://x/cb?client_secret%3D***"),
        (f"api_key={VALUE}", "api_key=***"),
        (f"password: {VALUE}", "password: ***"),
        (f"Authorization: Bearer {VALUE}", "Authorization: Bearer ***"),
        (f"Authorization: Basic {VALUE}==", "Authorization: Basic ***"),
    ],
)
def test_credential_shapes_are_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


def test_ordinary_messages_keep_their_words() -> None:
    text = (
        "token request (refresh_token) to https://identity.xero.com/connect/token refused: 400 invalid_grant"
    )
    assert redact(text) == text


def test_an_exception_built_from_a_repr_carries_no_token() -> None:
    error = ClientError(f"unexpected answer {{'access_token': '{VALUE}', 'token_type': 'Bearer'}}")
    assert VALUE not in str(error) and VALUE not in repr(error)


def test_a_registered_secret_is_masked_by_airflow_too() -> None:
    """Inside a task Airflow's logging is loaded: its masker (every logger, the supervisor's log file)
    learns each token the clients register, not only this package's logger."""
    from airflow.sdk.log import _secrets_masker

    secret = f"rotated-{VALUE}-airflow"
    assert secret in str(_secrets_masker().redact(f"token {secret}"))
    register_secret(secret)
    assert secret not in str(_secrets_masker().redact(f"token {secret}"))
