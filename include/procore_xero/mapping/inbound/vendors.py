"""Xero contacts on Xero-originated documents that Procore lacks -> Procore vendors, matched by name first.

A contact is a candidate when a bill, spend-money transaction or purchase order entered in Xero uses it
and no link exists yet (either direction), and the Procore -> Xero sync did not create it. One Procore
vendor with the same name key: linked, nothing written. None: a vendor is created (``origin_id`` = the
ContactID). Several: ``ambiguous_vendor_match``, for a person to decide — never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from procore_xero.mapping.frames import controls_in, finish, id_text, visible_text
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.spec import MappingSpec
from procore_xero.mapping.vendor_names import name_key
from procore_xero.objects.vendors import VENDORS

COLUMNS = (
    "action",
    "name",
    "name_controls",
    "match_count",
    "matched_vendor_ids",
    "matched_vendor_id",
    "project_id",
)
_ADDRESS_ORDER = ("STREET", "POBOX", "DELIVERY")
COUNTRY_CODE_LENGTH = 2


def transform_vendors(
    contacts: pd.DataFrame,
    used_contact_ids: Iterable[str],
    vendors: pd.DataFrame,
    known: KnownInProcore,
    spec: MappingSpec,
) -> pd.DataFrame:
    """One row per candidate contact: ``action`` "link" (one match) or "upsert" (create), with the
    Procore vendor fields; ``match_count`` > 1 is held by validation."""
    wanted = {c.lower() for c in used_contact_ids} - set(known.vendor_by_contact) - known.made_by_sync
    records = [r for r in contacts.to_dict("records", into=dict) if str(r["ContactID"]).lower() in wanted]
    by_key = _vendors_by_name_key(vendors)
    rows = [_row(record, by_key.get(name_key(record.get("Name")), [])) for record in records]
    frame = pd.DataFrame(rows, columns=list(_ROW_COLUMNS), dtype=object)
    return finish(
        frame,
        target_type=VENDORS.target_type,
        source_type="xero/contacts",
        natural_key=VENDORS.natural_key,
        fields=spec.fields("vendors"),
        columns=COLUMNS,
    )


_ROW_COLUMNS = (
    "source_id",
    "label",
    *COLUMNS,
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "business_phone",
    "email_address",
)


def _vendors_by_name_key(vendors: pd.DataFrame) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    if vendors.empty:
        return keys
    live = vendors[vendors["is_active"].fillna(True).astype(bool)] if "is_active" in vendors else vendors
    for vendor_id, name in zip(id_text(live["id"]), live["name"], strict=True):
        key = name_key(name)
        if key:
            keys.setdefault(key, []).append(vendor_id)
    return keys


def _row(contact: Mapping[str, Any], matches: list[str]) -> dict[str, Any]:
    address = _first_address(contact.get("Addresses") or [])
    country = (address.get("Country") or "").strip()
    return {
        "source_id": str(contact["ContactID"]).lower(),
        "label": f"Xero contact {contact.get('Name')!r}",
        "action": "link" if len(matches) == 1 else "upsert",
        "name": visible_text(contact.get("Name")),
        "name_controls": controls_in(contact.get("Name")),
        "match_count": len(matches),
        "matched_vendor_ids": ", ".join(matches) or None,
        "matched_vendor_id": matches[0] if len(matches) == 1 else None,
        "project_id": None,
        "address": " ".join(filter(None, (address.get(f"AddressLine{n}") for n in (1, 2, 3, 4)))) or None,
        "city": address.get("City") or None,
        "state_code": address.get("Region") or None,
        "zip": address.get("PostalCode") or None,
        "country_code": country.upper() if len(country) == COUNTRY_CODE_LENGTH else None,
        "business_phone": _phone(contact.get("Phones") or []),
        "email_address": contact.get("EmailAddress") or None,
    }


def _first_address(addresses: list[Mapping[str, Any]]) -> Mapping[str, Any]:
    filled = [a for a in addresses if a.get("AddressLine1") or a.get("City")]
    filled.sort(
        key=lambda a: _ADDRESS_ORDER.index(a["AddressType"]) if a.get("AddressType") in _ADDRESS_ORDER else 9
    )
    return filled[0] if filled else {}


def _phone(phones: list[Mapping[str, Any]]) -> str | None:
    for phone in sorted(phones, key=lambda p: p.get("PhoneType") != "DEFAULT"):
        number = " ".join(
            filter(None, (phone.get(k) for k in ("PhoneCountryCode", "PhoneAreaCode", "PhoneNumber")))
        )
        if number:
            return number
    return None
