"""``ProcoreClient``: Procore's REST API for one company — paged reads, incremental windows, sync actions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Unpack

from procore_xero.clients.auth import TokenProvider
from procore_xero.clients.http import (
    ApiSession,
    Refusal,
    SessionOptions,
    retry_after_seconds,
)
from procore_xero.clients.throttle import Budget

MAX_PER_PAGE = 2000  # Procore's documented ceiling ("keep per_page at or below 2,000")
SYNC_BATCH_SIZE = 1000  # records per sync action call
SPIKE_WINDOW_SECONDS = 10
RESET_RESOLUTION = 1.0  # X-Rate-Limit-Reset is whole seconds: the window may reopen up to 1 s after it


class ProcoreRateLimits:
    """``X-Rate-Limit-Limit/Remaining/Reset`` (Reset in Unix seconds) describe whichever of the hourly and
    10-second spike windows is closer to running out."""

    def budgets(self, headers: Mapping[str, str], now: float) -> list[Budget]:
        try:
            limit, remaining = int(headers["X-Rate-Limit-Limit"]), int(headers["X-Rate-Limit-Remaining"])
            reset = float(headers["X-Rate-Limit-Reset"])
        except (KeyError, ValueError):
            return []
        # The window ends within a second of Reset (rounded either way) and ``now`` (the Date header) may
        # be a second behind: up to 3 s less may be left than the latest estimate.
        resets_in = reset + RESET_RESOLUTION - now
        return [Budget("procore", limit, remaining, resets_in, uncertain=3 * RESET_RESOLUTION)]

    def floors(self, headers: Mapping[str, str], now: float) -> dict[str, int]:
        """The stated limit, for the window the reset time points at (the spike window resets within
        10 seconds). Both clocks are whole seconds: Reset rounds up and ``now`` (the ``Date`` header)
        down, so a spike window's reset reads up to 2 s later than 10 s, already 12 s at its first call
        (read as hourly, its limit of 100 held the whole hour to 100 calls across processes)."""
        return {
            ("spike" if b.resets_in <= SPIKE_WINDOW_SECONDS + 2 * RESET_RESOLUTION else "hourly"): b.limit
            for b in self.budgets(headers, now)
        }

    def refusal(self, headers: Mapping[str, str], now: float) -> Refusal:
        wait = retry_after_seconds(headers, now)
        if wait is None:
            try:
                wait = max(1.0, float(headers["X-Rate-Limit-Reset"]) + RESET_RESOLUTION - now)
            except (KeyError, ValueError):
                wait = float(SPIKE_WINDOW_SECONDS)
        return Refusal("spike" if wait <= SPIKE_WINDOW_SECONDS else "hourly", wait)


@dataclass
class SyncResult:
    """A sync action over all batches: written records and per-record errors, as Procore gives them."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def updated_at_filter(start: datetime, end: datetime) -> str:
    """``filters[updated_at]`` value for a window: ``2026-01-01T00:00:00Z...2026-01-02T00:00:00Z``."""
    return "...".join(moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (start, end))


class ProcoreClient:
    """Procore for one company: ``ProcoreClient(base_url, auth, company_id)``.

    ``base_url`` is the API host (``https://api.procore.com``, the sandbox's Procore URL); paths include
    the version (``/rest/v1.0/vendors``). ``auth`` is a ``TokenProvider``. ``sleep`` and ``clock`` are
    injectable so tests need not wait. One client per thread (see ``procore_xero.clients.http``).
    """

    def __init__(
        self,
        base_url: str,
        auth: TokenProvider,
        company_id: int,
        *,
        per_page: int = MAX_PER_PAGE,
        **options: Unpack[SessionOptions],
    ) -> None:
        self.company_id = company_id
        self.per_page = min(per_page, MAX_PER_PAGE)
        self.api = ApiSession(
            base_url,
            auth,
            ProcoreRateLimits(),
            headers={"Procore-Company-Id": str(company_id)},
            **options,
        )

    def __repr__(self) -> str:
        return f"ProcoreClient(base_url={self.api.base_url!r}, company_id={self.company_id})"

    @property
    def calls(self) -> dict[str, int]:
        """API calls made, per method and path template."""
        return self.api.calls.snapshot()

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """One GET (a single record, or a list endpoint that does not paginate)."""
        return self.api.request("GET", path, params=params).body

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        updated_between: tuple[datetime, datetime] | None = None,
        start_page: int = 1,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page of a list endpoint at ``per_page``, following ``Link: rel=next`` to the end.

        ``updated_between`` reads only records changed in that window (``filters[updated_at]``). A
        ``RateLimitExhausted`` carries the page it stopped at: pass it back as ``start_page`` to resume.
        """
        query = {**(params or {}), "per_page": self.per_page, "page": start_page}
        if updated_between is not None:
            query["filters[updated_at]"] = updated_at_filter(*updated_between)
        url: str | None = path
        page = start_page
        page_query: dict[str, Any] | None = query
        while url is not None:
            answer = self.api.request("GET", url, params=page_query, page=page)
            yield list(answer.body or [])
            url = answer.links.get("next", {}).get("url")
            page_query, page = None, page + 1  # the next link carries every parameter

    def send(self, method: str, path: str, body: Any, *, idempotent: bool = False) -> Any:
        """One write (POST / PATCH / DELETE); retried after a lost answer only if ``idempotent``."""
        return self.api.request(method, path, json=body, idempotent=idempotent).body

    def sync(
        self,
        path: str,
        records: Sequence[Mapping[str, Any]],
        *,
        body: Mapping[str, Any] | None = None,
        idempotent: bool = False,
        batch_size: int = SYNC_BATCH_SIZE,
    ) -> SyncResult:
        """Upsert ``records`` through a sync action (``PATCH …/sync``), ≤ 1,000 per call.

        ``body`` adds top-level fields (e.g. ``project_id``). Say ``idempotent=True`` when every record is
        keyed by ``id`` or ``origin_id``: a batch whose answer was lost is then sent again safely.
        """
        result = SyncResult()
        size = min(batch_size, SYNC_BATCH_SIZE)
        for start in range(0, len(records), size):
            payload = {**(body or {}), "updates": list(records[start : start + size])}
            answer = self.api.request("PATCH", path, json=payload, idempotent=idempotent).body or {}
            result.entities.extend(answer.get("entities", []))
            result.errors.extend(answer.get("errors", []))
        return result
