"""A scripted stand-in for ``requests.Session``, a fake clock and a recording sleep."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests


def response(
    status: int = 200,
    body: Any = None,
    headers: dict[str, str] | None = None,
    text: str | None = None,
    url: str = "http://api.test/x",
) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = (text if text is not None else json.dumps(body) if body is not None else "").encode()
    answer.headers.update(headers or {})
    answer.url = url
    answer.reason = "reason"
    return answer


@dataclass
class Sent:
    method: str
    url: str
    params: Any
    data: Any
    headers: dict[str, str]


@dataclass
class FakeSession:
    """Answers each request with the next scripted response (or raises it, if it is an exception)."""

    script: list[Any]
    sent: list[Sent] = field(default_factory=list)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        timeout: Any = None,
    ) -> requests.Response:
        self.sent.append(Sent(method, url, params, data, dict(headers or {})))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def post(
        self,
        url: str,
        *,
        data: Any = None,
        auth: Any = None,
        timeout: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent_headers = dict(headers or {})
        if auth:
            sent_headers["auth"] = ":".join(auth)
        return self.request("POST", url, data=data, headers=sent_headers)


@dataclass
class FakeTime:
    """``clock`` and ``sleep`` in one: sleeping moves the clock; every sleep is recorded."""

    now: float = 1_800_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class StaticToken:
    """A ``TokenProvider`` that hands out numbered tokens and records invalidations."""

    def __init__(self) -> None:
        self.issued = 0
        self.invalidated: list[str] = []

    def access_token(self) -> str:
        return f"access-token-{self.issued}"

    def invalidate(self, token: str) -> None:
        self.invalidated.append(token)
        self.issued += 1
