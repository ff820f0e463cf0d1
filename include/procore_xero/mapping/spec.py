"""The mapping spec: settings and per-object field maps from YAML, with a tenant's overrides deep-merged.

One file (``PXSYNC_SETTINGS``, default ``include/mappings/settings.yaml``) holds what every tenant shares; a
tenant's changes to settings and field maps alike live in the tenants file's ``overrides:`` (one home).
Both are checked against ``settings.schema.json`` when read, so a mistake names its file and key path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from procore_xero.mapping.settings import Settings, SettingsError, check, plain, settings_from

if TYPE_CHECKING:
    from procore_xero.tenants import Tenant

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "mappings" / "settings.yaml"
SETTINGS_ENV = "PXSYNC_SETTINGS"
MOVED_TENANTS = (
    "tenants: per-tenant overrides no longer live in the settings file; move each entry to the tenants "
    "file (PXSYNC_TENANTS) as that tenant's `overrides:` (same shape: settings: ..., objects: ...)"
)


@dataclass(frozen=True)
class MappingSpec:
    """The merged spec for one tenant: typed ``settings`` and ``objects`` (direction, fields)."""

    settings: Settings
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


def load_spec(tenant: Tenant | None = None, path: Path | None = None) -> MappingSpec:
    """The spec of ``tenant`` (None: the settings file alone): the settings file with the tenant's
    ``overrides`` (and ``controller_emails``) from the tenants file merged over it."""
    path = path or settings_path()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"{path}: cannot be read: {error}") from None
    if tenant is None:
        return spec_from_document(document, source=str(path))
    where = f"tenants file {tenant.source}, tenant {tenant.name!r}"
    return spec_from_document(document, tenant.settings_overrides(), source=str(path), overrides_source=where)


def spec_from_document(
    document: Any,
    overrides: Mapping[str, Any] | None = None,
    *,
    source: str = "settings",
    overrides_source: str = "tenant",
) -> MappingSpec:
    """The spec from a settings document (checked, errors naming ``source``) and optional overrides
    (checked with nothing required, errors naming ``overrides_source``)."""
    document = plain(document) if isinstance(document, Mapping) else document
    if isinstance(document, dict) and "tenants" in document:
        if document["tenants"]:
            raise SettingsError(f"{source}: {MOVED_TENANTS}")
        del document["tenants"]  # the old files' empty `tenants: {}`: nothing to move, so no reason to fail
    check(document, source)
    if overrides:
        overrides = plain(overrides)
        check(overrides, overrides_source, partial=True, prefix="overrides.")
        document = deep_merge(document, overrides)
        check(document, f"{source} with the overrides of {overrides_source}")
    return MappingSpec(settings=settings_from(document["settings"]), objects=document["objects"])
