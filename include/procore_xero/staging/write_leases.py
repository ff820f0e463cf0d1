"""One writer per Xero tenant and object type at a time, across processes and Celery workers.

Xero lets a bill's ``InvoiceNumber`` repeat, so "look for it by natural key, then create it" is only safe
when no other run does the same between the look and the create. A lease is a row in ``write_leases``
(the primary key is the tenant + object type): taking it is an INSERT, which the database lets only one
transaction do — on SQLite and PostgreSQL alike. The holder renews it before each batch and deletes it when
done; a lease whose holder died expires after ``ttl`` and is taken over.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from procore_xero.staging.engine import transaction
from procore_xero.staging.schema import write_leases
from procore_xero.staging.timestamps import utc_now

# Renewed before every batch, so only a dead holder's lease runs out: a task whose worker died is retried
# only after it (docs/operator-guide.md). PXSYNC_WRITE_LEASE_SECONDS: longer than one batch call with its
# rate-limit waits; the cluster test shortens it so its retry need not wait ten minutes.
LEASE_SECONDS = float(os.environ.get("PXSYNC_WRITE_LEASE_SECONDS", "600"))
WAIT_SECONDS = 1800.0  # how long a second run waits for the first to finish its writes
POLL_SECONDS = 0.5


class LeaseBusy(RuntimeError):
    """Another run kept writing this object type to this tenant for longer than we would wait."""


class LeaseLost(RuntimeError):
    """Our lease expired and another run took it: writing on could create what that run creates."""


@dataclass
class WriteLease:
    engine: Engine
    tenant_id: str
    object_type: str
    holder: str
    ttl: float

    def _key(self) -> ColumnElement[bool]:
        return and_(
            write_leases.c.tenant_id == self.tenant_id, write_leases.c.object_type == self.object_type
        )

    def renew(self) -> None:
        """Push the expiry out again; ``LeaseLost`` when another run holds it now."""
        with transaction(self.engine) as connection:
            renewed = connection.execute(
                update(write_leases)
                .where(self._key(), write_leases.c.holder == self.holder)
                .values(expires_at=_expiry(self.ttl))
            ).rowcount
        if renewed != 1:
            raise LeaseLost(
                f"the lease on writing {self.object_type} to Xero tenant {self.tenant_id} expired and "
                "another run took it; this run stops writing so the two cannot create the same record"
            )

    def release(self) -> None:
        with transaction(self.engine) as connection:
            connection.execute(delete(write_leases).where(self._key(), write_leases.c.holder == self.holder))

    def try_take(self) -> bool:
        """Take the lease if it is free or expired, in one transaction."""
        try:
            with transaction(self.engine) as connection:
                connection.execute(
                    delete(write_leases).where(self._key(), write_leases.c.expires_at < utc_now())
                )
                connection.execute(
                    insert(write_leases).values(
                        tenant_id=self.tenant_id,
                        object_type=self.object_type,
                        holder=self.holder,
                        expires_at=_expiry(self.ttl),
                    )
                )
        except IntegrityError:
            return False
        return True

    def held_until(self) -> datetime | None:
        with self.engine.connect() as connection:
            return connection.execute(select(write_leases.c.expires_at).where(self._key())).scalar()


def _expiry(ttl: float) -> datetime:
    return utc_now() + timedelta(seconds=ttl)


@contextmanager
def write_lease(
    engine: Engine,
    tenant_id: str,
    object_type: str,
    *,
    ttl: float = LEASE_SECONDS,
    wait: float = WAIT_SECONDS,
    poll: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> Iterator[WriteLease]:
    """Hold the lease on writing ``object_type`` to ``tenant_id`` for the ``with`` block; wait up to ``wait``
    seconds for another holder, then ``LeaseBusy``."""
    lease = WriteLease(engine, tenant_id.lower(), object_type, uuid.uuid4().hex, ttl)
    deadline = monotonic() + wait
    while not lease.try_take():
        if monotonic() >= deadline:
            raise LeaseBusy(
                f"another run has been writing {object_type} to Xero tenant {tenant_id} for over "
                f"{wait:.0f} s (its lease runs until {lease.held_until()}); try again when it has finished"
            )
        sleep(poll)
    try:
        yield lease
    finally:
        lease.release()
