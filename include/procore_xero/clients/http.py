"""The HTTP machinery both clients share: auth header, throttling, retries, exact JSON, call counting.

``ApiSession.request`` sends one logical call and deals with everything between it and a usable answer:
it paces itself on the rate-limit headers, renews the token once on a 401, waits out short 429s (a long
or daily one raises ``RateLimitExhausted`` / ``DailyLimitReached``), and retries 5xx answers, timeouts and
dropped connections with backoff — always for reads, for writes only when the caller says the write is
idempotent. One ``ApiSession`` may be shared by threads only if its ``requests.Session`` is; the safe
pattern is one client per thread (token providers and stores are thread-safe and may be shared).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypedDict
from urllib.parse import urljoin, urlsplit

import requests

from procore_xero.clients.accounting import CallCounter
from procore_xero.clients.auth import TokenProvider
from procore_xero.clients.errors import (
    ClientError,
    DailyLimitReached,
    MalformedResponse,
    RateLimitExhausted,
    RequestRejected,
    ServiceUnavailable,
)
from procore_xero.clients.redact import log, redact
from procore_xero.clients.retry import RETRYABLE_STATUSES, RetryPolicy
from procore_xero.clients.throttle import Budget, Throttle
from procore_xero.staging.jsoncodec import dumps, loads

DEFAULT_TIMEOUT = (10.0, 120.0)  # connect, read (seconds)


@dataclass(frozen=True)
class Refusal:
    """What a 429 says: which limit, how long to wait, and whether it is the daily one (never waited on)."""

    limit: str
    wait: float
    daily: bool = False


class RateLimitRules(Protocol):
    """How one service reports its rate limits in headers."""

    def budgets(self, headers: Mapping[str, str], now: float) -> list[Budget]: ...

    def refusal(self, headers: Mapping[str, str], now: float) -> Refusal: ...

    def floors(self, headers: Mapping[str, str], now: float) -> dict[str, int]:
        """The least each limit can be, as this answer shows (window name -> calls)."""
        ...


class CallSlots(Protocol):
    """A rate-limit budget shared with other processes (``shared_budget.SharedBudget``)."""

    def reserve(self) -> int | Refusal: ...

    def release(self, slot: int) -> None: ...

    def learn(self, floors: Mapping[str, int]) -> None: ...

    def enforces(self, window: str) -> bool:
        """Whether the shared budget holds this window to a known limit (header pacing is then moot)."""
        ...


@dataclass(frozen=True)
class ApiResponse:
    """A successful answer: status, headers, the body parsed with Decimals, and parsed ``Link`` rels."""

    status: int
    headers: Mapping[str, str]
    body: Any
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """``Retry-After`` as seconds (it may be a number or an HTTP date)."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError):
            return None


def server_time(headers: Mapping[str, str], local: float) -> float:
    """The server's clock from its ``Date`` header, else ``local``: absolute reset times (Procore's
    ``X-Rate-Limit-Reset``, an HTTP-date ``Retry-After``) are on the server's clock, not on ours, which may
    be off by minutes."""
    value = headers.get("Date")
    if value:
        try:
            return email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            pass
    return local


class SessionOptions(TypedDict, total=False):
    """How an ``ApiSession`` calls, as a client passes it through unchanged (``ProcoreClient(...,
    retry=...)``); the defaults are ``ApiSession``'s. Tests inject ``sleep`` and ``clock`` so they need not
    wait."""

    session: requests.Session | None
    retry: RetryPolicy | None
    timeout: float | tuple[float, float]
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    shared: CallSlots | None


class ApiSession:
    """One service's base URL, auth and fixed headers, plus the retry, throttle and counting machinery."""

    def __init__(
        self,
        base_url: str,
        auth: TokenProvider,
        rules: RateLimitRules,
        *,
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        shared: CallSlots | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.rules = rules
        self.headers = {"Accept": "application/json", **(headers or {})}
        self.session = session or requests.Session()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.sleep = sleep
        self.clock = clock
        self.throttle = Throttle(clock, sleep)
        self.calls = CallCounter()
        self.shared = shared

    def url(self, path_or_url: str) -> str:
        """An absolute URL on this service; a link to any other host is refused (it would get the token)."""
        url = (
            urljoin(self.base_url + "/", path_or_url.lstrip("/")) if "://" not in path_or_url else path_or_url
        )
        if urlsplit(url)[:2] != urlsplit(self.base_url)[:2]:
            raise ClientError(f"refusing to send credentials to {urlsplit(url).netloc}: not {self.base_url}")
        return url

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
        page: int | None = None,
    ) -> ApiResponse:
        """Send one call and return its answer; ``idempotent`` lets a write be retried, ``page`` goes into
        a ``RateLimitExhausted`` so the caller knows where to resume."""
        url = self.url(path_or_url)
        path = urlsplit(url).path
        retryable = method == "GET" or idempotent
        data = dumps(json).encode() if json is not None else None
        send_headers = {**self.headers, **(headers or {})}
        if data is not None:
            send_headers["Content-Type"] = "application/json"
        failures = refusals = 0
        renewed = False
        while True:
            self.throttle.wait()
            token = self.auth.access_token()
            slot = self._slot(method, path, page)
            self.calls.count(method, path)
            try:
                answer = self._send(
                    slot,
                    method,
                    url,
                    params=params,
                    data=data,
                    timeout=self.timeout,
                    headers={**send_headers, "Authorization": f"Bearer {token}"},
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                failures += 1
                reason = "timed out" if isinstance(exc, requests.Timeout) else "connection lost"
                if not retryable or failures >= self.retry.attempts:
                    raise ServiceUnavailable(
                        method, path, None, reason, attempts=failures, maybe_applied=method != "GET"
                    ) from None
                self._back_off(method, path, reason, failures, None)
                continue
            now = server_time(answer.headers, self.clock())
            self._observe(answer.headers, now)
            status = answer.status_code
            if status == 401 and not renewed:
                log.info("%s %s: 401, renewing the access token once", method, path)
                self.auth.invalidate(token)
                renewed = True
                continue
            if status == 429:
                refusals += 1
                self._wait_out(self.rules.refusal(answer.headers, now), method, path, page, refusals, now)
                continue
            if status in RETRYABLE_STATUSES:
                failures += 1
                if not retryable or failures >= self.retry.attempts:
                    raise ServiceUnavailable(
                        method, path, status, _summary(answer), attempts=failures, maybe_applied=False
                    )
                self._back_off(
                    method, path, f"HTTP {status}", failures, retry_after_seconds(answer.headers, now)
                )
                continue
            if status >= 400:
                body = _parsed(answer)
                raise RequestRejected(method, path, status, _summary(answer), body)
            try:
                body = json_body(answer)
            except ValueError as unusable:  # a proxy page, a cut-off body: retried like a 5xx
                failures += 1
                if not retryable or failures >= self.retry.attempts:
                    raise MalformedResponse(
                        method, path, status, str(unusable), attempts=failures, maybe_applied=method != "GET"
                    ) from None
                self._back_off(method, path, str(unusable), failures, None)
                continue
            return ApiResponse(status, answer.headers, body, answer.links)

    def _observe(self, headers: Mapping[str, str], now: float) -> None:
        """Pace on the answer's budgets, except those the shared budget already holds to their limit."""
        budgets = self.rules.budgets(headers, now)
        if self.shared is not None:
            self.shared.learn(self.rules.floors(headers, now))
            budgets = [b for b in budgets if not self.shared.enforces(b.name)]
        self.throttle.observe(budgets)

    def _slot(self, method: str, path: str, page: int | None) -> int | None:
        """A slot in the shared budget, waiting while other processes' calls fill it; a wait past
        ``max_rate_limit_wait`` or on the daily limit raises as a 429 would (nothing is sent)."""
        if self.shared is None:
            return None
        while True:
            taken = self.shared.reserve()
            if isinstance(taken, int):
                return taken
            now = self.clock()
            if taken.daily or taken.wait > self.retry.max_rate_limit_wait:
                self._wait_out(taken, method, path, page, 0, now)
            self.throttle.hold(taken.wait)
            self.throttle.wait()

    def _send(self, slot: int | None, method: str, url: str, **options: Any) -> requests.Response:
        """One HTTP exchange; its shared slot is released as soon as it ends, answered or not."""
        try:
            return self.session.request(method, url, **options)
        finally:
            if self.shared is not None and slot is not None:
                self.shared.release(slot)

    def _back_off(self, method: str, path: str, reason: str, failures: int, advertised: float | None) -> None:
        delay = max(self.retry.backoff(failures), advertised or 0.0)
        log.warning(
            "%s %s: %s; retry %d/%d in %.2f s", method, path, reason, failures, self.retry.attempts - 1, delay
        )
        self.sleep(delay)

    def _wait_out(
        self, refusal: Refusal, method: str, path: str, page: int | None, refusals: int, now: float
    ) -> None:
        resets_at = datetime.fromtimestamp(now + refusal.wait, UTC)
        if refusal.daily:
            raise DailyLimitReached(method, path, refusal.limit, resets_at, page)
        if refusal.wait > self.retry.max_rate_limit_wait or refusals > self.retry.rate_limit_attempts:
            raise RateLimitExhausted(method, path, refusal.limit, resets_at, page)
        log.warning("%s %s: 429 (%s limit); waiting %.2f s", method, path, refusal.limit, refusal.wait)
        self.throttle.hold(refusal.wait)


def _parsed(answer: requests.Response) -> Any:
    """The body as JSON with Decimal numbers; non-JSON bodies come back as text."""
    if not answer.content:
        return None
    try:
        return loads(answer.text)
    except ValueError:
        return answer.text


def json_body(answer: requests.Response) -> Any:
    """A success's body as JSON with Decimal numbers (None when empty); ``ValueError`` saying what is wrong
    with it otherwise: its type, size and start, or where the JSON breaks off."""
    if not answer.content:
        return None
    try:
        return loads(answer.text)
    except ValueError as error:
        kind, size = answer.headers.get("Content-Type", "no content type"), len(answer.content)
        if "json" not in kind.lower():
            start = redact(answer.text[:80])
            raise ValueError(f"the body is not JSON ({kind}, {size} bytes, starting {start!r})") from None
        raise ValueError(f"the JSON body is truncated or malformed ({size} bytes: {error})") from None


def _summary(answer: requests.Response, limit: int = 500) -> str:
    return redact(answer.text[:limit]) if answer.content else answer.reason or ""
