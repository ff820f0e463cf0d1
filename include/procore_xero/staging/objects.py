"""The staged object types (the extracted ones, ``extract.specs``): tables, keys and parsing follow."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS


class System(StrEnum):
    PROCORE = "procore"
    XERO = "xero"


# Xero statuses that mean the record is gone. VOIDED is not among them: a voided invoice or bill is
# still a document with a number and a history that reconciliation needs, so it stays "not deleted".
XERO_DELETED_STATUSES = frozenset({"DELETED", "ARCHIVED"})

# Every extracted type is staged (``extract.specs``), and Xero's tax rates, which nothing reads yet (the
# Xero emulator serves no TaxRates endpoint).
PROCORE_OBJECT_TYPES = tuple(PROCORE_SPECS)
# Xero object type -> the field holding its identity.
XERO_KEY_FIELDS = {**{name: spec.key_field for name, spec in XERO_SPECS.items()}, "tax_rates": "TaxType"}


@dataclass(frozen=True)
class ObjectType:
    """One staged object type: where it lives and which record fields give its key, time and deletion."""

    system: System
    name: str
    key_field: str
    updated_field: str

    @property
    def table_name(self) -> str:
        return f"{self.system}_{self.name}"

    def is_deleted(self, record: dict[str, Any]) -> bool:
        """Procore: ``deleted_at`` is set. Xero: ``Status`` is DELETED or ARCHIVED (VOIDED is not)."""
        if self.system is System.PROCORE:
            return record.get("deleted_at") is not None
        return str(record.get("Status", "")).upper() in XERO_DELETED_STATUSES


OBJECT_TYPES: dict[tuple[System, str], ObjectType] = {
    **{
        (System.PROCORE, name): ObjectType(System.PROCORE, name, "id", "updated_at")
        for name in PROCORE_OBJECT_TYPES
    },
    **{
        (System.XERO, name): ObjectType(System.XERO, name, key_field, "UpdatedDateUTC")
        for name, key_field in XERO_KEY_FIELDS.items()
    },
}


def get_object_type(system: str, name: str) -> ObjectType:
    try:
        return OBJECT_TYPES[System(system), name]
    except (KeyError, ValueError):
        known = sorted(f"{s}/{n}" for s, n in OBJECT_TYPES)
        raise KeyError(f"unknown staged object type {system}/{name}; known: {', '.join(known)}") from None
