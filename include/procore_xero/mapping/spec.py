"""The mapping spec: settings and per-object field maps from YAML, with per-tenant overrides deep-merged.

One file (``PXSYNC_SETTINGS``, default ``include/mappings/settings.yaml``) so that an organisation's
overrides cover settings and field maps alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "mappings" / "settings.yaml"
SETTINGS_ENV = "PXSYNC_SETTINGS"


@dataclass(frozen=True)
class MappingSpec:
    """The merged spec for one tenant: ``settings`` (plain values) and ``objects`` (direction, fields)."""

    settings: Mapping[str, Any]
    objects: Mapping[str, Mapping[str, Any]]

    def enabled(self, object_name: str) -> bool:
        return bool(self.objects.get(object_name, {}).get("enabled", False))

    def fields(self, object_name: str) -> Mapping[str, Any]:
        return self.objects[object_name]["fields"]

    def xero_status(self, object_name: str) -> str:
        return str(self.objects[object_name]["xero_status"])

    @property
    def commitments_sync(self) -> bool:
        """Commitments become Xero POs, so bills carry the PO number as their reference."""
        return self.enabled("purchase_orders")

    @property
    def tax(self) -> Mapping[str, str]:
        return self.settings["tax"]


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: mappings merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def settings_path() -> Path:
    return Path(os.environ.get(SETTINGS_ENV) or DEFAULT_PATH)


def load_spec(
    tenant: str | None = None, path: Path | None = None, overrides: Mapping[str, Any] | None = None
) -> MappingSpec:
    """The spec for ``tenant`` (Xero tenant id or organisation name; None = the base alone), with the
    tenants file's ``overrides`` for it applied last."""
    with (path or settings_path()).open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return spec_from_document(document, tenant, overrides)


def spec_from_document(
    document: Mapping[str, Any], tenant: str | None = None, overrides: Mapping[str, Any] | None = None
) -> MappingSpec:
    base = {key: value for key, value in document.items() if key != "tenants"}
    in_settings_file = (document.get("tenants") or {}).get(tenant, {}) if tenant else {}
    merged = deep_merge(deep_merge(base, in_settings_file), overrides or {})
    return MappingSpec(settings=merged["settings"], objects=merged["objects"])
