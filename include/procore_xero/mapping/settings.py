"""The ``settings:`` section as typed, frozen values, checked against ``settings.schema.json`` when read.

A typo or a wrong type fails when the file is loaded, with the file and the key path
(``settings.yaml: settings.drift.amount: 'abc' does not match ...``), not as a ``KeyError`` deep in a
transform. Code reads attributes (``settings.drift.amount``); each section also reads as a read-only mapping
(``settings["send_to_xero_stage"]``) because validation rules name the setting they compare with by key
(``objects.rules.Setting``), and tests hand ``validate`` plain mappings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, get_args, get_origin, get_type_hints

SCHEMA_PATH = Path(__file__).with_name("settings.schema.json")


class SettingsError(ValueError):
    """The settings (or a tenant's overrides) cannot be used: says which file, which key and why."""


class MappingView(Mapping[str, Any]):
    """``["key"]`` and ``.get("key")`` reads of a frozen dataclass's fields: a rule's ``Setting`` by key."""

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Retainage(MappingView):
    """The retainage item, and the accounts retainage is held on (bills) and billed to (sales invoices)."""

    item_code: str
    item_name: str
    payable_account: str
    receivable_account: str


@dataclass(frozen=True)
class Accounts(MappingView):
    """Default purchase and sales accounts of items and document lines."""

    expense: str
    revenue: str


@dataclass(frozen=True)
class Tax(MappingView):
    line_amount_types: str  # Exclusive | Inclusive | NoTax
    purchase_tax_type: str
    sales_tax_type: str


@dataclass(frozen=True)
class CostCodeLookup(MappingView):
    """A Xero account (and, if given, item) -> a Procore budget code, for lines coming back."""

    account_code: str
    cost_code: str
    cost_type: str
    item_code: str | None = None


@dataclass(frozen=True)
class Drift(MappingView):
    """The nightly drift report's thresholds (``reports.settings.DriftSettings`` checks their precision)."""

    amount: Decimal
    percent: Decimal
    top_findings: int
    stale_after_hours: int


@dataclass(frozen=True)
class SourceStatuses(MappingView):
    """Procore statuses that mean "finalised", per document type: only these documents move."""

    commitments: tuple[str, ...]
    change_orders: tuple[str, ...]
    requisitions: tuple[str, ...]
    payment_applications: tuple[str, ...]


@dataclass(frozen=True)
class Settings(MappingView):
    """Everything under ``settings:`` (documented inline in ``include/mappings/settings.yaml``)."""

    controller_emails: tuple[str, ...]
    from_email: str
    tracking_category: str
    send_to_xero_stage: str
    item_code_separator: str
    retainage: Retainage
    accounts: Accounts
    tax: Tax
    po_number: str
    bill_reference: str
    resend_voided_in_xero: bool
    sales_payment_terms_days: int
    cost_code_lookup: tuple[CostCodeLookup, ...]
    drift: Drift
    feeds: Mapping[str, Any]  # structure checked here; object types and intervals by ``extract.feeds``
    source_statuses: SourceStatuses


def settings_from(data: Mapping[str, Any]) -> Settings:
    """The typed settings from a ``settings:`` section the schema has passed."""
    return _build(Settings, data)


def check(document: Any, source: str, *, partial: bool = False, prefix: str = "") -> None:
    """Raise ``SettingsError`` naming ``source`` and the key path (after ``prefix``) of the first problem
    in key order. ``partial``: a tenant's overrides, where nothing is required."""
    validator = _validator(partial)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(map(str, error.absolute_path)))
    if errors:
        error = errors[0]
        where = (prefix + key_path(error.absolute_path)).rstrip(".") or "(top level)"
        raise SettingsError(f"{source}: {where}: {error.message}")


def key_path(parts: Any) -> str:
    """``settings.cost_code_lookup[1].cost_type`` (empty for the document itself)."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def plain(value: Any) -> Any:
    """YAML-shaped data from typed settings (so a spec's settings can seed another document); absent
    optional values (None) are left out."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


@cache
def _validator(partial: bool) -> Any:
    from jsonschema import Draft202012Validator  # ~0.3 s: only when settings are read, never at DAG parse

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(_without_required(schema) if partial else schema)


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _without_required(value) for key, value in schema.items() if key != "required"}
    if isinstance(schema, list):
        return [_without_required(item) for item in schema]
    return schema


def _build(cls: Any, data: Mapping[str, Any]) -> Any:
    """``cls`` from checked data, each field converted by its type hint (absent: the field's default)."""
    hints = get_type_hints(cls)
    return cls(**{name: _value(hints[name], data[name]) for name in cls._names() if name in data})


def _value(hint: Any, value: Any) -> Any:
    if is_dataclass(hint):
        return _build(hint, value)
    origin = get_origin(hint)
    if origin is tuple:
        return tuple(_value(get_args(hint)[0], item) for item in value)
    if hint is Decimal:
        return Decimal(str(value))
    if origin is Mapping:
        return _frozen(value)
    return value


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value
