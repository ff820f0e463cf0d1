"""Exact JSON for money: numbers parse to ``Decimal`` and are written back digit for digit.

The stdlib encoder cannot write a ``Decimal`` as a JSON number, and ``float`` would lose cents, so
``dumps`` is a small canonical encoder (sorted keys, no spaces) whose output also feeds ``content_hash``.
JSON has one number type, so a Decimal written without point or exponent (``Decimal("5")``) reads back as
the equal ``int`` 5 -- exactly what parsing the API's own ``5`` gives.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def dumps(value: Any) -> str:
    """Canonical JSON text: sorted keys, compact separators, Decimals exactly as given (``-5.50`` stays)."""
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts)


def loads(text: str) -> Any:
    """Parse JSON with every non-integer number as ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def content_hash(value: Any) -> str:
    """sha256 hex of the canonical text: equal hashes mean an unchanged record."""
    return hashlib.sha256(dumps(value).encode()).hexdigest()


def _encode(value: Any, parts: list[str]) -> None:
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(_encode_string(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no JSON representation")
        parts.append(str(value))
    elif isinstance(value, dict):
        parts.append("{")
        for index, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be str, got {key!r}")
            parts.append("," if index else "")
            parts.append(_encode_string(key) + ":")
            _encode(value[key], parts)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append("," if index else "")
            _encode(item, parts)
        parts.append("]")
    elif isinstance(value, float):
        raise TypeError(f"float {value!r} is not exact money: parse API JSON with jsoncodec.loads (Decimal)")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
