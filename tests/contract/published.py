"""Procore's published contract as data, read from ``../shared/reference/procore`` (never copied here):
operations by method and path template, models by name, operations that do not exist."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "procore"
_PARAM = re.compile(r"\{[^}]*\}")


def template_key(path: str) -> str:
    """A path template with its parameters blanked (``/projects/{}``): Procore's ``{id}`` and the emulator's
    ``{record_id:int}`` name the same slot."""
    return _PARAM.sub("{}", path)


def readable(path: str) -> str:
    """An emulator route template without Starlette converters (``{record_id:int}`` -> ``{record_id}``)."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


@dataclass(frozen=True)
class Operation:
    """One published endpoint (an entry of ``endpoints.json``)."""

    resource: str
    method: str
    path: str
    query_params: tuple[str, ...]
    required_query_params: tuple[str, ...]
    one_of_required_query_params: tuple[str, ...]
    query_param_types: dict[str, str]
    request_model: str | None
    response_model: str | None
    is_list: bool

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def pattern(self) -> re.Pattern[str]:
        """Matches concrete paths; a slot takes digits only (Procore's IDs are integers, so ``/sync`` is never
        a record)."""
        literal = [re.escape(part) for part in _PARAM.split(self.path)]
        return re.compile("^" + "[0-9]+".join(literal) + "$")

    @property
    def literal_segments(self) -> int:
        return sum(1 for part in self.path.split("/") if part and not part.startswith("{"))


def _model_name(raw: str | None) -> str | None:
    return None if raw in (None, "null", "") else raw


@dataclass(frozen=True)
class Contract:
    operations: tuple[Operation, ...]
    models: dict[str, dict[str, Any]]
    not_published: dict[str, tuple[str, ...]]  # resource -> "METHOD /path" entries

    def by_template(self, method: str, path: str) -> Operation | None:
        """The published operation with this method and path template (parameter names may differ)."""
        key = template_key(path)
        return next(
            (op for op in self.operations if op.method == method and template_key(op.path) == key), None
        )

    def matching(self, method: str, concrete_path: str) -> Operation | None:
        """The published operation a concrete request path falls under; literal segments win over
        parameters (``/projects/sync`` is the sync action, not a project with id ``sync``)."""
        found = [op for op in self.operations if op.method == method and op.pattern.match(concrete_path)]
        return max(found, key=lambda op: op.literal_segments, default=None)

    def resource_of(self, method: str, path: str) -> str:
        """The resource an operation (published or not) belongs to, for grouping deviations."""
        op = self.by_template(method, path)
        if op is not None:
            return op.resource
        key = f"{method} {template_key(path)}"
        for resource, entries in self.not_published.items():
            if any(template_key(entry) == key for entry in entries):
                return resource
        segments = [s for s in path.split("/")[3:] if s and not s.startswith("{")]
        known = {o.resource for o in self.operations}
        return next((s for s in reversed(segments) if s in known), segments[0] if segments else path)


@cache
def contract() -> Contract:
    endpoints = json.loads((REFERENCE / "endpoints.json").read_text())
    operations = tuple(
        Operation(
            resource=e["resource"],
            method=e["method"],
            path=e["path"],
            query_params=tuple(e["query_params"]),
            required_query_params=tuple(e["required_query_params"]),
            one_of_required_query_params=tuple(e.get("one_of_required_query_params") or ()),
            query_param_types=dict(e["query_param_types"]),
            request_model=_model_name(e["request_model"]),
            response_model=_model_name(e["response_model"]),
            is_list=bool(e["list"]),
        )
        for e in endpoints
    )
    models = json.loads((REFERENCE / "models.json").read_text())
    raw = json.loads((REFERENCE / "not_published.json").read_text())["not_published"]
    return Contract(operations, models, {k: tuple(v) for k, v in raw.items()})
