"""``XeroClient``: the Xero Accounting API for one tenant — paged and incremental reads, batched writes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
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
from procore_xero.staging.jsoncodec import content_hash

ACCOUNTING_PATH = "/api.xro/2.0"
MAX_PAGE_SIZE = 1000
WRITE_BATCH_SIZE = 50
MAX_IDEMPOTENCY_KEY = 128
MINUTE_LIMIT = 60  # per tenant
APP_MINUTE_LIMIT = 10_000  # per app, across tenants
# Xero publishes summarizeErrors on its batch endpoints, not on tracking categories and their options
# (all-or-nothing: one bad element answers 400).
UNSUMMARISED_ENDPOINTS = ("TrackingCategories",)


class XeroRateLimits:
    """``X-MinLimit-Remaining`` and ``X-AppMinLimit-Remaining`` pace the calls (their windows are a minute;
    Xero does not say when they reset, so a full minute is assumed). The daily limit is not paced: spreading
    it would mean sleeping for hours; when it runs out the 429 says ``daily`` and the client stops."""

    def budgets(self, headers: Mapping[str, str], now: float) -> list[Budget]:
        budgets = []
        for name, header, limit in (
            ("minute", "X-MinLimit-Remaining", MINUTE_LIMIT),
            ("appminute", "X-AppMinLimit-Remaining", APP_MINUTE_LIMIT),
        ):
            try:
                budgets.append(Budget(name, limit, int(headers[header]), 60.0))
            except (KeyError, ValueError):
                continue
        return budgets

    def floors(self, headers: Mapping[str, str], now: float) -> dict[str, int]:
        """Xero states what remains, not the limit: the limit is at least one more (this call counted)."""
        floors = {}
        for name, header in (("minute", "X-MinLimit-Remaining"), ("daily", "X-DayLimit-Remaining")):
            try:
                floors[name] = int(headers[header]) + 1
            except (KeyError, ValueError):
                continue
        return floors

    def refusal(self, headers: Mapping[str, str], now: float) -> Refusal:
        problem = headers.get("X-Rate-Limit-Problem", "minute").lower()
        wait = retry_after_seconds(headers, now)
        return Refusal(problem, 60.0 if wait is None else wait, daily=problem == "daily")


@dataclass(frozen=True)
class ElementResult:
    """One element of a batched write: its position in the input, Xero's status and messages."""

    index: int
    status: str  # OK | WARNING | ERROR
    element: dict[str, Any]
    errors: list[str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return self.status != "ERROR"


def if_modified_since(moment: datetime) -> str:
    """The ``If-Modified-Since`` value Xero documents: ISO 8601 in UTC without an offset."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def batch_idempotency_key(prefix: str, batch: Sequence[Mapping[str, Any]]) -> str:
    """``prefix`` plus a hash of the batch: the same batch resent (even by a retried task) gets the same key,
    different batches never share one."""
    digest = content_hash(list(batch))[:40]
    return f"{prefix[: MAX_IDEMPOTENCY_KEY - len(digest) - 1]}-{digest}"


class XeroClient:
    """Xero for one organisation: ``XeroClient(base_url, auth, tenant_id)``.

    ``base_url`` is the API host (``https://api.xero.com``, the sandbox's Xero URL); endpoints are named
    as in the Accounting API (``"Invoices"``, ``"Contacts"``). ``auth`` is a ``TokenProvider``. One client
    per thread; Xero allows 5 calls in flight per tenant, which the Airflow pool enforces. ``shared``
    (``shared_budget.xero_budget``) keeps every process working for the tenant inside its limits together.
    """

    def __init__(
        self,
        base_url: str,
        auth: TokenProvider,
        tenant_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        **options: Unpack[SessionOptions],
    ) -> None:
        self.tenant_id = tenant_id
        self.page_size = min(page_size, MAX_PAGE_SIZE)
        self.api = ApiSession(
            base_url,
            auth,
            XeroRateLimits(),
            headers={"xero-tenant-id": tenant_id},
            **options,
        )

    def __repr__(self) -> str:
        return f"XeroClient(base_url={self.api.base_url!r}, tenant_id={self.tenant_id!r})"

    @property
    def calls(self) -> dict[str, int]:
        """API calls made, per method and path template."""
        return self.api.calls.snapshot()

    def connections(self) -> list[dict[str, Any]]:
        """The tenants this token may use (``GET /connections``)."""
        return list(self.api.request("GET", "/connections").body or [])

    def get(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        *,
        modified_since: datetime | None = None,
    ) -> Any:
        """One GET of an Accounting endpoint: unpaged lists (Items, Accounts), single records, reports."""
        headers = {"If-Modified-Since": if_modified_since(modified_since)} if modified_since else None
        return self.api.request("GET", f"{ACCOUNTING_PATH}/{endpoint}", params=params, headers=headers).body

    def pages(
        self,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        *,
        modified_since: datetime | None = None,
        start_page: int = 1,
        key: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page of a paged endpoint at ``page_size`` until a short page or ``pageCount``.

        ``key`` is the list's name in the answer (default: the endpoint's last segment). A
        ``DailyLimitReached`` carries the page it stopped at: pass it back as ``start_page`` to resume.
        """
        key = key or endpoint.rsplit("/", 1)[-1]
        headers = {"If-Modified-Since": if_modified_since(modified_since)} if modified_since else None
        page = start_page
        while True:
            query = {**(params or {}), "page": page, "pageSize": self.page_size}
            body = (
                self.api.request(
                    "GET", f"{ACCOUNTING_PATH}/{endpoint}", params=query, headers=headers, page=page
                ).body
                or {}
            )
            items = list(body.get(key, []))
            yield items
            page_count = (body.get("pagination") or {}).get("pageCount")
            if len(items) < self.page_size or (page_count is not None and page >= page_count):
                return
            page += 1

    def save(
        self,
        endpoint: str,
        elements: Sequence[Mapping[str, Any]],
        *,
        method: str = "PUT",
        idempotency_key: str | None = None,
        key: str | None = None,
        batch_size: int = WRITE_BATCH_SIZE,
    ) -> list[ElementResult]:
        """Create (``PUT``) or create-or-update (``POST``) elements in batches of ≤ 50 with
        ``summarizeErrors=false`` (where Xero publishes it); return one ``ElementResult`` per input element,
        in order.

        With ``idempotency_key`` each batch carries ``Idempotency-Key: <key>-<hash of the batch>`` and a
        batch whose answer was lost is resent (Xero answers a repeat with the first result).
        """
        key = key or endpoint.rsplit("/", 1)[-1]
        results: list[ElementResult] = []
        size = min(batch_size, WRITE_BATCH_SIZE)
        for start in range(0, len(elements), size):
            batch = list(elements[start : start + size])
            headers = (
                {"Idempotency-Key": batch_idempotency_key(idempotency_key, batch)}
                if idempotency_key
                else None
            )
            body = self.api.request(
                method,
                f"{ACCOUNTING_PATH}/{endpoint}",
                params=None if endpoint.startswith(UNSUMMARISED_ENDPOINTS) else {"summarizeErrors": "false"},
                json={key: batch},
                headers=headers,
                idempotent=idempotency_key is not None,
            ).body
            for offset, element in enumerate((body or {}).get(key, [])):
                results.append(
                    ElementResult(
                        index=start + offset,
                        status=str(element.get("StatusAttributeString", "OK")),
                        element=element,
                        errors=[e.get("Message", "") for e in element.get("ValidationErrors") or []],
                        warnings=[w.get("Message", "") for w in element.get("Warnings") or []],
                    )
                )
        return results
