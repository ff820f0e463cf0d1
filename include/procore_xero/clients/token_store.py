"""Where rotating OAuth tokens live between runs: one encrypted row per connection, refreshed under a lock.

A rotated refresh token is the only key to the integration, so it is committed (encrypted with Fernet,
key from ``PXSYNC_TOKEN_KEY``) before the new access token is handed out, and refreshes are serialised
across processes: ``SqlTokenStore.locked`` holds a row lock (PostgreSQL ``SELECT … FOR UPDATE``) or the
database write lock (SQLite ``BEGIN IMMEDIATE``) while the caller reads, refreshes and saves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from procore_xero.clients.errors import ConfigurationError
from procore_xero.clients.redact import register_secret
from procore_xero.staging.migrations import ensure_schema
from procore_xero.staging.schema import oauth_tokens

TOKEN_KEY_ENV = "PXSYNC_TOKEN_KEY"


@dataclass(frozen=True)
class StoredToken:
    """A connection's current refresh token (none for client-credentials grants) and its access token."""

    refresh_token: str | None = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    access_expires_at: float = 0.0  # epoch seconds

    def __post_init__(self) -> None:
        register_secret(self.refresh_token)
        register_secret(self.access_token)

    def access_valid(self, now: float, margin: float) -> bool:
        return self.access_token is not None and now < self.access_expires_at - margin


class TokenSlot:
    """The stored token as read under the lock, and the place to put its successor."""

    def __init__(self, current: StoredToken | None) -> None:
        self.current = current
        self.saved: StoredToken | None = None

    def save(self, token: StoredToken) -> None:
        self.saved = token


class TokenStore(Protocol):
    """Serialises refreshes of one key: ``with store.locked(key) as slot`` reads ``slot.current``; a
    ``slot.save(...)`` is durable when the block exits without error, before the lock is released."""

    def locked(self, key: str) -> AbstractContextManager[TokenSlot]: ...


class TokenCipher:
    """Fernet encryption of stored tokens."""

    def __init__(self, key: str | bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"{TOKEN_KEY_ENV} is not a Fernet key (32 bytes, urlsafe base64); generate one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> TokenCipher:
        key = environ.get(TOKEN_KEY_ENV)
        if not key:
            raise ConfigurationError(
                f"{TOKEN_KEY_ENV} is not set: refresh tokens are stored encrypted and need a Fernet key "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
        return cls(key)

    def encrypt(self, token: StoredToken) -> str:
        return self._fernet.encrypt(json.dumps(asdict(token)).encode()).decode()

    def decrypt(self, ciphertext: str, key: str) -> StoredToken:
        try:
            return StoredToken(**json.loads(self._fernet.decrypt(ciphertext.encode())))
        except InvalidToken:
            raise ConfigurationError(
                f"the stored token {key!r} cannot be decrypted with {TOKEN_KEY_ENV} (was the key changed?)"
            ) from None


class SqlTokenStore:
    """``TokenStore`` on a SQLAlchemy engine (the staging database), table ``oauth_tokens``."""

    def __init__(self, engine: Engine, cipher: TokenCipher | None = None) -> None:
        self.engine = engine
        self.cipher = cipher or TokenCipher.from_env()

    def create_table(self) -> None:
        """Bring the database to the staging schema, which holds ``oauth_tokens`` (migration 2)."""
        ensure_schema(self.engine)

    @contextmanager
    def locked(self, key: str) -> Iterator[TokenSlot]:
        self._ensure_row(key)  # a row must exist for FOR UPDATE to have something to lock
        with self.engine.connect() as connection, connection.begin():
            driver = connection.connection.dbapi_connection
            if connection.dialect.name == "sqlite" and driver is not None and not driver.in_transaction:
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the staging engine already begins IMMEDIATE
            ciphertext: str | None = connection.execute(
                select(oauth_tokens.c.ciphertext).where(oauth_tokens.c.token_key == key).with_for_update()
            ).scalar_one()
            slot = TokenSlot(self.cipher.decrypt(ciphertext, key) if ciphertext else None)
            yield slot
            if slot.saved is not None:
                connection.execute(
                    update(oauth_tokens)
                    .where(oauth_tokens.c.token_key == key)
                    .values(ciphertext=self.cipher.encrypt(slot.saved), updated_at=datetime.now(UTC))
                )

    def _ensure_row(self, key: str) -> None:
        try:
            with self.engine.begin() as connection:
                if connection.execute(
                    select(oauth_tokens.c.token_key).where(oauth_tokens.c.token_key == key)
                ).first():
                    return
                connection.execute(insert(oauth_tokens).values(token_key=key, updated_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # another process inserted it first
