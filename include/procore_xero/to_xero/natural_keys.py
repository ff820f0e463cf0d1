"""Find records already in Xero by their natural key, so a write whose answer was lost (or a contact a
person already keyed in) is linked instead of created twice.

The cheapest reliable read per collection: Items and the tracking category are one unpaged GET each;
bills and invoices are fetched by ``InvoiceNumbers`` (50 per call) and matched on number + contact;
contacts and purchase orders are read whole (1,000 per page; Xero offers no ``ContactNumber`` or PO
number filter that takes many values), which also serves the rule that a contact with the same name is
linked, not duplicated: the same name under ``mapping.vendor_names`` (case, spaces, punctuation and legal
suffixes ignored, the rule the Xero -> Procore direction uses too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from procore_xero.clients import XeroClient
from procore_xero.mapping.vendor_names import name_key, near_keys
from procore_xero.outgoing import Outgoing
from procore_xero.to_xero.reads import all_records, records_matching, unpaged_records
from procore_xero.to_xero.targets import is_live

Record = TypeVar("Record", bound=Mapping[str, Any])  # a Xero record, as read (a dict) or as shown

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
    for names in {tuple(sorted(r.natural_key)) for r in records}:
        for record in found:
            by_key.setdefault(key_of(record, names), record)
    by_name = contacts_by_name(found)
    matches: dict[str, dict] = {}
    for outgoing in records:
        match = by_key.get(outgoing_key(outgoing))
        if match is None and outgoing.target_type == "Contacts":
            match = _one_named(outgoing.payload.get("Name"), by_name)
        if match is not None and _same_kind(outgoing, match):
            matches[outgoing.source_id] = match
    return matches


def contacts_by_name(found: Sequence[Record]) -> dict[str, list[Record]]:
    """Xero contacts by name key (``mapping.vendor_names``)."""
    by_name: dict[str, list[Record]] = {}
    for record in found:
        key = name_key(record.get("Name")) if "ContactID" in record else ""
        if key:
            by_name.setdefault(key, []).append(record)
    return by_name


def near_contacts(name: Any, by_name: Mapping[str, list[Record]]) -> list[Record]:
    """Contacts a person must tell apart from ``name``: several with its key, or any with a near key."""
    key = name_key(name)
    same = by_name.get(key, [])
    near = [record for other in near_keys(key, by_name) for record in by_name[other]]
    return [*(same if len(same) > 1 else []), *near]


def _one_named(name: Any, by_name: Mapping[str, list[Record]]) -> Record | None:
    """The one contact with ``name``'s key; of several, the one Xero would call the same name."""
    same = by_name.get(name_key(name), [])
    if len(same) == 1:
        return same[0]
    exact = [record for record in same if _normal(record.get("Name")) == _normal(name)]
    return exact[0] if len(exact) == 1 else None


def _same_kind(outgoing: Outgoing, record: Mapping[str, Any]) -> bool:
    """A bill and a sales invoice may share a number: they are different documents."""
    kind = outgoing.payload.get("Type")
    return kind is None or _normal(record.get("Type")) == _normal(kind)
