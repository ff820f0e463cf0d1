"""Find records already in Xero by their natural key, so a write whose answer was lost (or a contact a
person already keyed in) is linked instead of created twice.

The cheapest reliable read per collection: Items and the tracking category are one unpaged GET each;
bills and invoices are fetched by ``InvoiceNumbers`` (50 per call) and matched on number + contact;
contacts and purchase orders are read whole (1,000 per page; Xero offers no ``ContactNumber`` or PO
number filter that takes many values), which also serves the rule that a contact with the same name is
linked, not duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from procore_xero.clients import XeroClient
from procore_xero.load.reads import all_records, records_matching, unpaged_records
from procore_xero.load.targets import is_live
from procore_xero.outgoing import Outgoing

# Natural-key fields that sit deeper in the Xero record than their name says.
_FIELD_PATHS = {"ContactID": ("Contact", "ContactID")}

Key = tuple[tuple[str, str], ...]


def _normal(value: Any) -> str:
    """Xero compares names and numbers case-insensitively."""
    return "" if value is None else str(value).strip().lower()


def _field(record: Mapping[str, Any], name: str) -> Any:
    value: Any = record
    for part in _FIELD_PATHS.get(name, (name,)):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def key_of(record: Mapping[str, Any], names: Iterable[str]) -> Key:
    return tuple((name, _normal(_field(record, name))) for name in sorted(names))


def outgoing_key(outgoing: Outgoing) -> Key:
    return tuple((name, _normal(value)) for name, value in sorted(outgoing.natural_key.items()))


def candidates(
    client: XeroClient, target_type: str, records: Sequence[Outgoing], options: list[dict] | None = None
) -> list[dict]:
    """The live Xero records that could hold one of ``records``' natural keys."""
    if target_type == "TrackingOptions":
        found = list(options or [])
    elif target_type == "Items":
        found = unpaged_records(client, "Items")
    elif target_type == "Invoices":
        numbers = [str(r.natural_key.get("InvoiceNumber", "")) for r in records]
        found = records_matching(client, "Invoices", "InvoiceNumbers", numbers)
    else:
        found = all_records(client, target_type)
    return [record for record in found if is_live(record)]


def match_existing(records: Sequence[Outgoing], found: Sequence[dict]) -> dict[str, dict]:
    """source id -> the Xero record with the same natural key (contacts: else the same name)."""
    by_key: dict[Key, dict] = {}
    by_name: dict[str, dict] = {}
    for names in {tuple(sorted(r.natural_key)) for r in records}:
        for record in found:
            by_key.setdefault(key_of(record, names), record)
    for record in found:
        if "ContactID" in record and "Name" in record:
            by_name.setdefault(_normal(record["Name"]), record)
    matches: dict[str, dict] = {}
    for outgoing in records:
        record = by_key.get(outgoing_key(outgoing))
        if record is None and outgoing.target_type == "Contacts":
            record = by_name.get(_normal(outgoing.payload.get("Name")))
        if record is not None and _same_kind(outgoing, record):
            matches[outgoing.source_id] = record
    return matches


def _same_kind(outgoing: Outgoing, record: Mapping[str, Any]) -> bool:
    """A bill and a sales invoice may share a number: they are different documents."""
    kind = outgoing.payload.get("Type")
    return kind is None or _normal(record.get("Type")) == _normal(kind)
