"""Procore vendors against the contacts Xero already holds, beyond the natural key.

A Xero contact with the same name key (``mapping.vendor_names``) is linked by ``match_existing``; this
module decides the rest. A vendor whose name is only near one or more contacts' ("Summit Steel Erector" /
"Summit Steel Erectors Inc"), or shares its key with several, is not created as a second supplier (a
duplicate-payment risk) but held as ``contact_name_near_match`` until a person approves creating it. A
linked contact without a ``ContactNumber`` gets the vendor's, when no other contact uses it, so the next
run finds it by key rather than by name (mapping.md: the vendor id is the contact's external key).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procore_xero.outgoing import Outgoing
from procore_xero.to_xero.natural_keys import contacts_by_name, near_contacts

CONTACT_NEAR_MATCH = "contact_name_near_match"


def near_match_details(records: Sequence[Outgoing], found: Sequence[dict]) -> dict[str, dict[str, Any]]:
    """source id -> what a person must see to decide (the vendor's name, the Xero contacts it is near),
    for each record that has near contacts."""
    by_name = contacts_by_name(found)
    details = {}
    for record in records:
        near = near_contacts(record.payload.get("Name"), by_name)
        if near:
            details[record.source_id] = {
                "name": record.payload.get("Name"),
                "xero_contacts": [
                    {"ContactID": str(c["ContactID"]).lower(), "Name": c.get("Name")}
                    for c in sorted(near, key=lambda c: str(c["ContactID"]).lower())
                ],
            }
    return details


def near_match_message(record: Outgoing, details: Mapping[str, Any]) -> str:
    names = ", ".join(repr(c["Name"]) for c in details["xero_contacts"])
    number = record.payload.get("ContactNumber")
    return (
        f"{record.label}: Xero already holds {names}, a near match; not created as a second supplier. "
        f"Approve to create it anyway, or link it by giving the right Xero contact the Contact Code {number}."
    )


def contact_number_updates(
    matches: Mapping[str, dict], records: Sequence[Outgoing], found: Sequence[dict]
) -> list[tuple[Outgoing, dict[str, Any]]]:
    """(record, update body) for each linked contact without a ContactNumber whose vendor's number no
    other contact holds (Xero's contact screen cannot set it; only the API can)."""
    taken = {str(c["ContactNumber"]).strip().lower() for c in found if c.get("ContactNumber")}
    updates = []
    for record in records:
        existing = matches.get(record.source_id)
        number = record.natural_key.get("ContactNumber")
        if existing is None or existing.get("ContactNumber") or not number:
            continue
        if str(number).strip().lower() in taken:
            continue
        taken.add(str(number).strip().lower())
        updates.append((record, {"ContactID": existing["ContactID"], "ContactNumber": str(number)}))
    return updates
