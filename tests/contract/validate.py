"""Bodies and requests against Procore's published contract; what differs comes back as ``Deviation``s.

Rules (written down in docs/fidelity.md):
- A response body holds only fields its model publishes (models with ``additional_properties`` take any
  extra key), each of the published type: ``string``, ``integer`` (not a boolean), ``number`` (a JSON number,
  never a string), ``boolean``, ``date`` (``YYYY-MM-DD``), ``date-time`` (ISO 8601 with a time),
  ``object``, ``object:<Model>`` (checked recursively), ``array:<type>`` (each element checked), ``any``.
- ``null`` is accepted for every field: Procore's serializers send ``null`` for an unset value and the spec
  marks no field non-nullable. A published ``enum`` must hold a non-null value.
- A ``one_of`` model (Procore's views: compact / normal / extended) is satisfied by its closest variant.
- Missing response fields are not deviations (views and permissions omit fields); a request body must carry
  the fields its request model marks required.
- A request must fall under a published operation (method, path template, version), send only published
  query parameters (``name[]`` for an array parameter), every required one and one of
  ``one_of_required_query_params``, integer parameters as integers, and a body only where one is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.contract.published import Contract, Operation, readable

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WRITES = ("POST", "PATCH", "PUT")


@dataclass(frozen=True, order=True)
class Deviation:
    """One difference from the contract: where (an operation, ``METHOD /path``), which field, what."""

    where: str
    field: str
    kind: str


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


SCALARS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "date": lambda v: isinstance(v, str) and bool(_DATE.match(v)),
    "date-time": lambda v: isinstance(v, str) and _is_datetime(v),
    "object": lambda v: isinstance(v, dict),
    "any": lambda v: True,
}


class BodyChecker:
    """Checks JSON values against the contract's models, collecting deviations for one operation."""

    def __init__(self, models: dict[str, dict[str, Any]], where: str, *, request: bool = False) -> None:
        self.models = models
        self.where = where
        self.request = request  # requests must also carry required fields
        self.found: set[Deviation] = set()

    def add(self, field: str, kind: str) -> None:
        self.found.add(Deviation(self.where, field, kind))

    def value(self, value: Any, published: str, path: str) -> None:
        if value is None:
            return
        kind, _, inner = published.partition(":")
        if kind == "array":
            if not isinstance(value, list):
                self.add(path, f"type {published}, got {json_type(value)}")
                return
            for item in value:
                self.value(item, inner, f"{path}[]")
        elif kind == "object" and inner:
            if not isinstance(value, dict):
                self.add(path, f"type {published}, got {json_type(value)}")
                return
            self.model(value, inner, path)
        elif not SCALARS.get(kind, SCALARS["any"])(value):
            got = json_type(value)
            self.add(path, f"type {published}, got {got}" + (" in another format" if got == kind else ""))

    def model(self, record: dict[str, Any], name: str, path: str = "") -> None:
        model = self.models[name]
        if model.get("one_of"):
            self.found |= min(
                (self._variant(record, variant, path) for variant in model["one_of"]),
                key=lambda found: (len(found), sorted(found)),
            )
            return
        properties: dict[str, dict[str, Any]] = model["properties"]
        for key, value in record.items():
            field = f"{path}.{key}" if path else key
            published = properties.get(key)
            if published is None:
                if not model.get("additional_properties"):
                    self.add(field, "unpublished field")
                continue
            self.value(value, published["type"], field)
            if published.get("enum") and value is not None and value not in published["enum"]:
                self.add(field, f"value {value!r} not in published enum")
        if self.request:
            for key, published in properties.items():
                if published.get("required") and key not in record:
                    self.add(f"{path}.{key}" if path else key, "required field missing")

    def _variant(self, record: dict[str, Any], variant: str, path: str) -> set[Deviation]:
        checker = BodyChecker(self.models, self.where, request=self.request)
        checker.model(record, variant, path)
        return checker.found


def check_response(contract: Contract, op: Operation, body: Any) -> set[Deviation]:
    """A 2xx answer of ``op`` against its published response model (a list of it where ``op`` lists)."""
    checker = BodyChecker(contract.models, op.name)
    if op.response_model is None:
        if body not in (None, "", {}):
            checker.add("", "body sent, none published")
        return checker.found
    records: Sequence[Any]
    if op.is_list or isinstance(body, list):
        if not op.is_list:
            checker.add("", "array, published one object")
        if not isinstance(body, list):
            checker.add("", f"type array, got {json_type(body)}")
            return checker.found
        records = body
    else:
        records = [body]
    for record in records:
        checker.value(record, f"object:{op.response_model}", "")
    return checker.found


def _query_deviations(op: Operation, query: Iterable[tuple[str, str]]) -> set[Deviation]:
    found: set[Deviation] = set()
    sent: dict[str, list[str]] = {}
    for raw, value in query:
        array = raw.endswith("[]") and op.query_param_types.get(raw[:-2], "").startswith("array")
        name = raw[:-2] if array else raw
        sent.setdefault(name, []).append(value)
    for name, values in sent.items():
        if name not in op.query_params:
            found.add(Deviation(op.name, f"query {name}", "unpublished query parameter"))
        elif op.query_param_types.get(name, "").endswith("integer") and not all(
            re.fullmatch(r"-?\d+", v) for part in values for v in part.split(",")
        ):
            found.add(Deviation(op.name, f"query {name}", "type integer, got string"))
    for name in op.required_query_params:
        if name not in sent and name not in op.one_of_required_query_params:
            found.add(Deviation(op.name, f"query {name}", "required query parameter missing"))
    choices = op.one_of_required_query_params
    if choices and not any(name in sent for name in choices):
        found.add(Deviation(op.name, "query " + "|".join(choices), "required query parameter missing"))
    return found


def check_request(
    contract: Contract, method: str, path: str, route: str, query: Iterable[tuple[str, str]], body: Any
) -> set[Deviation]:
    """One request as the emulator received it (``route``: the emulator's template, for unpublished ones)."""
    op = contract.matching(method, path)
    if op is None:
        return {Deviation(f"{method} {readable(route)}", "", "unpublished operation")}
    found = _query_deviations(op, query)
    if op.request_model is None:
        if body not in (None, "", {}):
            found.add(Deviation(op.name, "body", "body sent, none published"))
        return found
    if not isinstance(body, dict):
        found.add(Deviation(op.name, "body", f"type object:{op.request_model}, got {json_type(body)}"))
        return found
    checker = BodyChecker(contract.models, op.name, request=True)
    checker.model(body, op.request_model, "body")
    return found | checker.found
