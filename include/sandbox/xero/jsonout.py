"""JSON rendering with exact money: ``Decimal`` amounts become JSON numbers with two decimals."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from starlette.responses import Response

CENT = Decimal("0.01")
_MARK = "\x01dec:"
_MARKED = re.compile(r'"\\u0001dec:(-?\d+(?:\.\d+)?)"')


def cents(value: Decimal) -> Decimal:
    """Round half away from zero to the cent, as Xero rounds line amounts."""
    return value.quantize(CENT, rounding="ROUND_HALF_UP")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_MARK}{value:.2f}" if value == cents(value) else f"{_MARK}{value.normalize():f}"
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(payload: Any) -> str:
    """``json.dumps`` that writes ``Decimal("12.5")`` as ``12.50`` (a number, not a string)."""
    return _MARKED.sub(r"\1", json.dumps(payload, default=_default, ensure_ascii=False))


def plain(payload: Any) -> Any:
    """The same data with Decimals as floats: for ``/_sandbox/state`` (JSON-serializable by anyone)."""
    if isinstance(payload, dict):
        return {k: plain(v) for k, v in payload.items()}
    if isinstance(payload, list):
        return [plain(v) for v in payload]
    return float(payload) if isinstance(payload, Decimal) else payload


class XeroJSONResponse(Response):
    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("utf-8")
