"""Request-body validation against Xero's official OpenAPI schemas (``components/schemas``), compiled once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError

import sandbox

# The element schemas the emulator's write endpoints accept.
ELEMENT_SCHEMAS = (
    "Contact",
    "Item",
    "TrackingCategory",
    "TrackingOption",
    "PurchaseOrder",
    "Invoice",
    "Payment",
    "PaymentDelete",
    "BankTransaction",
)
_DROPPED_KEYS = frozenset(
    {"readOnly", "nullable", "example", "externalDocs", "description", "default", "xml"}
)


def default_spec_path() -> Path:
    repo = Path(sandbox.__file__).resolve().parents[2]
    return repo.parent / "shared" / "reference" / "xero_accounting.yaml"


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema: drop readOnly, nullable, x-* and doc keys; point $refs at ``$defs``."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED_KEYS or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + value.rsplit("/", 1)[-1]
        elif key == "properties":
            out[key] = {name: _to_json_schema(prop) for name, prop in value.items()}
        else:
            out[key] = _to_json_schema(value)
    return out


class TolerantLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The spec has one boolean default written as a string; a plain YAML load (no OpenAPI check) takes it."""


def _error_path(error: SchemaError) -> str:
    parts: list[str] = []
    for step in error.absolute_path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(("." if parts else "") + str(step))
    return "".join(parts)


def describe(error: SchemaError) -> str:
    """A specific message: which field, what was wrong."""
    where = _error_path(error) or "the element"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{where}: '{error.instance}' is not a valid value. Expected one of: {allowed}"
    if error.validator == "type":
        return f"{where}: {error.instance!r} is not of type {error.validator_value}"
    if error.validator == "maxLength":
        return f"{where} must be no more than {error.validator_value} characters long"
    if error.validator == "required":
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


class BodySchemas:
    """Validators per element schema, or none (with a notice) when the spec file is absent."""

    def __init__(self, spec_path: Path | None) -> None:
        path = spec_path or default_spec_path()
        self.validators: dict[str, Draft202012Validator] = {}
        if not path.exists():
            print(
                f"sandbox: Xero spec {path} not found; validating bodies with the emulator's own rules only",
                file=sys.stderr,
                flush=True,
            )
            return
        with path.open(encoding="utf-8") as handle:
            spec = yaml.load(handle, Loader=TolerantLoader)
        defs = {name: _to_json_schema(schema) for name, schema in spec["components"]["schemas"].items()}
        for name in ELEMENT_SCHEMAS:
            root = {"$ref": f"#/$defs/{name}", "$defs": defs}
            self.validators[name] = Draft202012Validator(root)

    def errors(self, schema_name: str, element: Any) -> list[str]:
        """Messages for every schema violation of one element (empty when valid or no spec)."""
        validator = self.validators.get(schema_name)
        if validator is None:
            return [] if isinstance(element, dict) else ["The element must be a JSON object"]
        found = sorted(validator.iter_errors(element), key=lambda e: list(map(str, e.absolute_path)))
        return [describe(error) for error in found]
