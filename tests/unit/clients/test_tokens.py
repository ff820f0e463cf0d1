"""Token providers and the encrypted token store (SQLite), with a scripted token endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select

from procore_xero.clients.auth import ClientCredentialsProvider, RefreshTokenProvider, TokenEndpoint
from procore_xero.clients.errors import AuthError, ConfigurationError
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.token_store import SqlTokenStore, StoredToken, TokenCipher, oauth_tokens
from tests.unit.clients.fakes import FakeSession, FakeTime, response

KEY = Fernet.generate_key()


def endpoint(script: list, fake: FakeTime, client_auth: str = "form") -> tuple[TokenEndpoint, FakeSession]:
    session = FakeSession(script)
    return TokenEndpoint(
        "http://login.test/oauth/token",
        "client-1",
        "client-secret-xyz",
        client_auth=client_auth,  # type: ignore[arg-type]
        session=session,
        sleep=fake.sleep,  # type: ignore[arg-type]
        retry=RetryPolicy(attempts=3, jitter=lambda: 0.0),
    ), session


def store(tmp_path: Path) -> SqlTokenStore:
    token_store = SqlTokenStore(create_engine(f"sqlite:///{tmp_path / 'staging.db'}"), TokenCipher(KEY))
    token_store.create_table()
    return token_store


def test_client_credentials_token_is_renewed_a_margin_before_its_1_5_hour_expiry() -> None:
    fake = FakeTime()
    answers = [response(200, {"access_token": f"cc-token-{n}", "expires_in": 5400}) for n in range(2)]
    token_endpoint, session = endpoint(answers, fake)
    provider = ClientCredentialsProvider(token_endpoint, margin=300, clock=fake.clock)
    assert provider.access_token() == "cc-token-0"
    fake.now += 5400 - 301
    assert provider.access_token() == "cc-token-0"
    fake.now += 2  # inside the margin
    assert provider.access_token() == "cc-token-1"
    assert provider.grants == 2
    assert session.sent[0].data == {
        "grant_type": "client_credentials",
        "client_id": "client-1",
        "client_secret": "client-secret-xyz",
    }


def test_client_credentials_token_is_shared_through_the_store_until_it_nears_expiry(tmp_path: Path) -> None:
    """Each Airflow task builds its own provider; with a store they ask for one token between them."""
    fake = FakeTime()
    answers = [response(200, {"access_token": f"cc-token-{n}", "expires_in": 5400}) for n in range(2)]
    token_endpoint, session = endpoint(answers, fake)
    shared = store(tmp_path)
    tasks = [
        ClientCredentialsProvider(token_endpoint, store=shared, store_key="procore:42", clock=fake.clock)
        for _ in range(3)
    ]
    assert [task.access_token() for task in tasks] == ["cc-token-0"] * 3
    assert [task.grants for task in tasks] == [1, 0, 0] and [task.adopted for task in tasks] == [0, 1, 1]
    tasks[1].invalidate("cc-token-0")  # the API refused it: the next task must not adopt it again
    assert tasks[1].access_token() == "cc-token-1"
    fake.now += 5400 - 301
    late = ClientCredentialsProvider(token_endpoint, store=shared, store_key="procore:42", clock=fake.clock)
    assert late.access_token() == "cc-token-1" and len(session.sent) == 2
    with shared.engine.connect() as connection:
        ciphertext = connection.execute(select(oauth_tokens.c.ciphertext)).scalar_one()
    assert "cc-token" not in ciphertext  # encrypted at rest


def test_token_endpoint_retries_5xx_but_not_a_refusal(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime()
    token_endpoint, session = endpoint(
        [response(503), response(200, {"access_token": "t-ok", "expires_in": 60})], fake, client_auth="basic"
    )
    assert token_endpoint.grant({"grant_type": "client_credentials"})["access_token"] == "t-ok"
    assert fake.sleeps == [0.5] and session.sent[0].headers["auth"] == "client-1:client-secret-xyz"
    token_endpoint, _ = endpoint(
        [response(400, {"error": "invalid_grant", "error_description": "nope"})], fake
    )
    with pytest.raises(AuthError) as caught:
        token_endpoint.grant({"grant_type": "refresh_token", "refresh_token": "old-refresh-token"})
    assert caught.value.error_code == "invalid_grant"
    assert "client-secret-xyz" not in str(caught.value) + repr(token_endpoint) + caplog.text


def test_refresh_rotates_stores_encrypted_and_reuses_until_expiry(tmp_path: Path) -> None:
    fake = FakeTime()
    answers = [
        response(200, {"access_token": f"acc-{n}", "refresh_token": f"refresh-{n}", "expires_in": 1800})
        for n in range(2)
    ]
    token_endpoint, session = endpoint(answers, fake, client_auth="basic")
    token_store = store(tmp_path)
    provider = RefreshTokenProvider(
        token_endpoint, token_store, "xero:t1", initial_refresh_token="first-refresh", clock=fake.clock
    )
    assert provider.access_token() == "acc-0"
    assert provider.access_token() == "acc-0"
    fake.now += 1600  # within 5 minutes of the 30-minute expiry
    assert provider.access_token() == "acc-1"
    assert [s.data["refresh_token"] for s in session.sent] == ["first-refresh", "refresh-0"]
    with token_store.engine.connect() as connection:
        ciphertext = connection.execute(select(oauth_tokens.c.ciphertext)).scalar_one()
    assert "refresh-1" not in ciphertext and "acc-1" not in ciphertext
    assert TokenCipher(KEY).decrypt(ciphertext, "xero:t1") == StoredToken(
        "refresh-1", "acc-1", fake.now + 1800
    )


def test_a_token_another_process_rotated_is_adopted_not_refreshed_again(tmp_path: Path) -> None:
    fake = FakeTime()
    token_store = store(tmp_path)
    with token_store.locked("xero:t1") as slot:  # what the other process left behind
        slot.save(StoredToken("their-refresh", "their-access", fake.now + 1800))
    token_endpoint, session = endpoint([], fake)
    provider = RefreshTokenProvider(
        token_endpoint, token_store, "xero:t1", initial_refresh_token="stale-initial", clock=fake.clock
    )
    assert provider.access_token() == "their-access"
    assert (provider.grants, provider.adopted, session.sent) == (0, 1, [])


def test_a_rejected_access_token_is_not_adopted_from_the_store(tmp_path: Path) -> None:
    fake = FakeTime()
    token_store = store(tmp_path)
    with token_store.locked("k") as slot:
        slot.save(StoredToken("r-0", "revoked-access", fake.now + 1800))
    answer = response(200, {"access_token": "fresh-access", "refresh_token": "r-1", "expires_in": 1800})
    token_endpoint, _ = endpoint([answer], fake)
    provider = RefreshTokenProvider(token_endpoint, token_store, "k", clock=fake.clock)
    assert provider.access_token() == "revoked-access"
    provider.invalidate("revoked-access")
    assert provider.access_token() == "fresh-access"


def test_missing_or_wrong_encryption_key_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="PXSYNC_TOKEN_KEY is not set"):
        TokenCipher.from_env({})
    with pytest.raises(ConfigurationError, match="not a Fernet key"):
        TokenCipher("too-short")
    token_store = store(tmp_path)
    with token_store.locked("k") as slot:
        slot.save(StoredToken("r-0"))
    other = SqlTokenStore(token_store.engine, TokenCipher(Fernet.generate_key()))
    with pytest.raises(ConfigurationError, match="cannot be decrypted"), other.locked("k"):
        pass


def test_no_refresh_token_anywhere_asks_for_authorisation(tmp_path: Path) -> None:
    fake = FakeTime()
    provider = RefreshTokenProvider(endpoint([], fake)[0], store(tmp_path), "xero:new", clock=fake.clock)
    with pytest.raises(AuthError, match="authorise the connection first"):
        provider.access_token()


def test_stored_token_repr_hides_tokens() -> None:
    assert "super-refresh" not in repr(StoredToken("super-refresh", "super-access", 1.0))
