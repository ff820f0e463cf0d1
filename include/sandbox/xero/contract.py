"""Xero's published contract as data, for the contract tests: which operations exist (method + path template)
with which query and header parameters, and which fields each model has.

The emulator validates request bodies against the spec's schemas (``schema.BodySchemas``); those schemas let
unknown fields through, as Xero ignores them. A client that sends a field Xero ignores relies on nothing,
so the contract test asks for more of the sync's requests: a published operation, published parameters
and no field the model lacks (``unknown_fields``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sandbox.xero.schema import TolerantLoader, default_spec_path

_METHODS = ("get", "put", "post", "delete")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the spec's template, e.g. /TrackingCategories/{TrackingCategoryID}/Options
    parameters: frozenset[str]  # query and header parameter names

    def matches(self, method: str, path: str) -> bool:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.path))
        return method.upper() == self.method and re.fullmatch(pattern, path) is not None


class PublishedContract:
    """Operations and models of ``xero_accounting.yaml`` (paths relative to ``/api.xro/2.0``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        components = spec["components"]
        self.schemas: dict[str, Any] = components["schemas"]
        shared = components.get("parameters", {})
        self.operations: list[Operation] = []
        for path, item in spec["paths"].items():
            for method in _METHODS:
                if method not in item:
                    continue
                names = set()
                for parameter in item[method].get("parameters", []):
                    if "$ref" in parameter:
                        parameter = shared[parameter["$ref"].rsplit("/", 1)[-1]]
                    if parameter["in"] in ("query", "header"):
                        names.add(parameter["name"])
                self.operations.append(Operation(method.upper(), path, frozenset(names)))
        # a concrete path such as /Invoices/{id} must not match before /Invoices/{InvoiceID}/History: the
        # templates with fewer placeholders (more literal segments) are tried first
        self.operations.sort(key=lambda op: (op.path.count("{"), -len(op.path)))

    @classmethod
    def load(cls, path: Path | None = None) -> PublishedContract:
        with (path or default_spec_path()).open(encoding="utf-8") as handle:
            return cls(yaml.load(handle, Loader=TolerantLoader))

    def operation(self, method: str, path: str) -> Operation | None:
        return next((op for op in self.operations if op.matches(method, path)), None)

    def unknown_fields(self, schema_name: str, element: Any, where: str = "") -> list[str]:
        """Dotted paths of the fields in ``element`` that the model ``schema_name`` does not publish."""
        return self._unknown(self.schemas[schema_name], element, where)

    def _unknown(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        if "$ref" in schema:
            return self._unknown(self.schemas[schema["$ref"].rsplit("/", 1)[-1]], value, where)
        if isinstance(value, list) and "items" in schema:
            return [
                p for i, v in enumerate(value) for p in self._unknown(schema["items"], v, f"{where}[{i}]")
            ]
        if not isinstance(value, dict) or "properties" not in schema:
            return []
        found = []
        for name, child in value.items():
            place = f"{where}.{name}" if where else name
            if name not in schema["properties"]:
                found.append(place)
            else:
                found += self._unknown(schema["properties"][name], child, place)
        return found
