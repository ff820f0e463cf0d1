"""One account's rate limits shared by every process that calls for it (a backfill beside an hourly run,
several Celery workers): a log of calls in the staging database, consulted under a lock before each call.

Header pacing (``throttle.py``) sees only the answers of its own process, so two processes that each pace
on "remaining" spend the budget twice as fast as either thinks. Here every call takes a slot in
``api_calls`` before it is sent and marks it done when its answer arrives; a call may go only while each
window holds fewer than its limit of calls that are in flight or answered within the window. Counting a
call until ``window`` after its answer (the server counted it at some moment between sending and answering)
keeps any server window, fixed or rolling, within the limit; ``margin`` covers clocks that differ between
hosts by less than it.

A window's limit is the larger of the published one (Xero's 60 a minute) and the least the answers prove
(``api_limits``: Procore's ``X-Rate-Limit-Limit``; Xero's remaining + 1), so a sandbox whose limits were
raised is not held to the published ones; a window with neither is not limited until an answer shows one.

Locks: PostgreSQL's transaction-scoped advisory lock on the budget key, SQLite's write lock (``BEGIN
IMMEDIATE``). A process killed mid-call leaves a slot in flight: it is counted as done ``stale_after``
seconds after it was sent (longer than any call's timeout).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from procore_xero.clients.http import Refusal
from procore_xero.staging.migrations import ensure_schema
from procore_xero.staging.schema import api_calls, api_limits

IN_FLIGHT_POLL = 0.05  # seconds between looks while every in-flight slot is taken
TIDY_EVERY = 50  # reservations between two clean-ups of old rows (each process)


@dataclass(frozen=True)
class Window:
    """At most ``limit`` calls in any ``seconds`` (None: only what the answers show, see ``learn``).
    ``give_up``: a wait for this window is not slept (the daily limit)."""

    name: str
    seconds: float
    limit: int | None = None
    give_up: bool = False


class SharedBudget:
    """``SharedBudget(engine, "xero:<tenant id>", windows, in_flight=5)``; ``reserve()`` before a call
    (a slot id, or the ``Refusal`` saying how long to wait), ``release(slot)`` when its answer is in."""

    def __init__(
        self,
        engine: Engine,
        key: str,
        windows: Sequence[Window],
        *,
        in_flight: int | None = None,
        margin: float = 1.0,
        stale_after: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.key = key
        self.windows = list(windows)
        self.in_flight = in_flight
        self.margin = margin
        self.stale_after = stale_after
        self.clock = clock
        self._limits = {w.name: w.limit for w in self.windows}
        self._learnt: dict[str, int] = {}  # floors this process already stored
        self._confirmed: dict[str, float] = {}  # when this process last stored each of them
        self._reserved = 0
        self._lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        ensure_schema(engine)

    def __repr__(self) -> str:
        return f"SharedBudget({self.key!r}, {self._limits})"

    def enforces(self, window: str) -> bool:
        """A window held here exactly to its published limit; one whose limit the answers showed to be other
        (learnt from headers, or raised) is also paced on the headers."""
        published = self._limits.get(window)
        return published is not None and self._learnt.get(window, 0) <= published

    def learn(self, floors: Mapping[str, int]) -> None:
        """Keep the least each window's limit can be, as an answer's headers show it (``floors``: window
        name -> limit), for every process; a floor not confirmed within the longest window is forgotten."""
        known, now = {w.name for w in self.windows}, self.clock()
        for name, floor in floors.items():
            if name not in known or floor <= (self._limits[name] or 0) or floor < self._learnt.get(name, 0):
                continue
            if floor == self._learnt.get(name) and now - self._confirmed[name] < self._longest() / 2:
                continue  # stored recently enough: confirmed again before it could be forgotten
            self._learnt[name], self._confirmed[name] = floor, now
            with self.engine.begin() as connection:
                where = (api_limits.c.budget_key == self.key, api_limits.c.window == name)
                stored = connection.execute(select(api_limits.c.floor).where(*where)).scalar_one_or_none()
                if stored is None:
                    try:
                        with connection.begin_nested():
                            connection.execute(
                                insert(api_limits).values(
                                    budget_key=self.key, window=name, floor=floor, seen_at=self.clock()
                                )
                            )
                    except IntegrityError:
                        pass  # another process learnt it first
                elif floor >= stored:
                    connection.execute(
                        update(api_limits).where(*where).values(floor=floor, seen_at=self.clock())
                    )

    def reserve(self) -> int | Refusal:
        """Take a slot if every window and the in-flight limit allow one now; else say how long to wait."""
        with self.engine.connect() as connection, connection.begin():
            self._lock(connection)
            now = self.clock()
            tidied = self._reserved % TIDY_EVERY == 0
            if tidied:
                self._tidy(connection, now)
            refusal = self._refusal(connection, now, self._current_limits(connection))
            if refusal is not None and not tidied:  # maybe only a dead process's slots stand in the way
                self._tidy(connection, now)
                refusal = self._refusal(connection, now, self._current_limits(connection))
            if refusal is not None:
                return refusal
            self._reserved += 1
            return int(
                connection.execute(
                    insert(api_calls).values(budget_key=self.key, sent_at=now).returning(api_calls.c.id)
                ).scalar_one()
            )

    def release(self, slot: int) -> None:
        """The call's answer (or its failure) is in: from now on it counts for ``window`` more seconds."""
        with self.engine.begin() as connection:
            connection.execute(update(api_calls).where(api_calls.c.id == slot).values(done_at=self.clock()))

    def _lock(self, connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self._lock_id})
        elif not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the staging engine already begins IMMEDIATE

    def _tidy(self, connection: Connection, now: float) -> None:
        """Settle slots whose process died mid-call; forget calls older than every window."""
        mine = api_calls.c.budget_key == self.key
        connection.execute(
            update(api_calls)
            .where(mine, api_calls.c.done_at.is_(None), api_calls.c.sent_at < now - self.stale_after)
            .values(done_at=api_calls.c.sent_at + self.stale_after)
        )
        longest = self._longest()
        connection.execute(delete(api_calls).where(mine, api_calls.c.done_at < now - longest))
        connection.execute(
            delete(api_limits).where(
                api_limits.c.budget_key == self.key, api_limits.c.seen_at < now - longest
            )
        )

    def _longest(self) -> float:
        return max((w.seconds for w in self.windows), default=0.0) + self.margin

    def _current_limits(self, connection: Connection) -> dict[str, int | None]:
        """Each window's limit: the published one raised to what the answers showed."""
        learnt: dict[str, int] = dict(
            connection.execute(
                select(api_limits.c.window, api_limits.c.floor).where(api_limits.c.budget_key == self.key)
            ).all()
        )
        return {
            name: max(published or 0, learnt.get(name, 0)) or None for name, published in self._limits.items()
        }

    def _refusal(
        self, connection: Connection, now: float, limits: Mapping[str, int | None]
    ) -> Refusal | None:
        mine = api_calls.c.budget_key == self.key
        if self.in_flight is not None:
            flying = connection.execute(
                select(func.count()).where(mine, api_calls.c.done_at.is_(None))
            ).scalar_one()
            if flying >= self.in_flight:
                return Refusal("concurrent", IN_FLIGHT_POLL)
        for window in self.windows:
            limit = limits[window.name]
            if limit is None:
                continue
            counted = or_(
                api_calls.c.done_at.is_(None), api_calls.c.done_at > now - window.seconds - self.margin
            )
            used = connection.execute(select(func.count()).where(mine, counted)).scalar_one()
            if used < limit:
                continue
            # The (used - limit + 1)-th oldest answer must leave the window; calls in flight leave last.
            frees_at: float | None = connection.execute(
                select(api_calls.c.done_at)
                .where(mine, counted)
                .order_by(api_calls.c.done_at.is_(None), api_calls.c.done_at)
                .offset(used - limit)
                .limit(1)
            ).scalar_one()
            wait = IN_FLIGHT_POLL if frees_at is None else frees_at + window.seconds + self.margin - now
            return Refusal(window.name, max(wait, IN_FLIGHT_POLL), daily=window.give_up)
        return None


def xero_budget(engine: Engine, tenant_id: str, *, daily_limit: int = 5000) -> SharedBudget:
    """Xero's published limits per tenant: 5 calls in flight, 60 a minute, ``daily_limit`` a day (5,000;
    1,000 on the Starter tier)."""
    windows = [Window("minute", 60.0, 60), Window("daily", 86_400.0, daily_limit, give_up=True)]
    return SharedBudget(engine, f"xero:{tenant_id}", windows, in_flight=5)


def procore_budget(
    engine: Engine, client_id: str, *, hourly_seconds: float = 3600.0, margin: float = 1.0
) -> SharedBudget:
    """Procore's windows per app (the token's owner): hourly and a 10-second spike, limits as the
    headers state them (Procore: "throttle on the headers, never on an assumed number").
    ``hourly_seconds`` and ``margin`` are for a sandbox whose hour was shortened (its ``hourly_seconds``
    limit): the headers give the limit and the reset, never the window's length."""
    windows = [Window("hourly", hourly_seconds), Window("spike", 10.0)]
    return SharedBudget(engine, f"procore:{client_id}", windows, margin=margin)
