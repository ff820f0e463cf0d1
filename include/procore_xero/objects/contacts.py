"""Procore vendors -> Xero contacts (suppliers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.rules import CONTACT_NEAR_MATCH, CONTROL_CHARACTERS_IN_NAME, Rule, is_true, present

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames

XERO_CONTACT_NAME_MAX = 255


def transform(frames: Frames, _known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.contacts import transform_contacts

    return transform_contacts(frames["vendors"], spec)


CONTACTS = SyncObject(
    name="contacts",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=("vendors",),
    transform=transform,
    mapping="procore_xero.mapping.contacts",
    target=XeroTarget("Contacts", "Contacts", "ContactID", updatable=True),
    natural_key={"ContactNumber": "contact_number"},
    rules=(
        *present("name", "missing_vendor_name", "{label}: the vendor has no name"),
        is_true(
            "name_is_text",
            "vendor_name_not_text",
            "{label}: the name field holds a {name_type}, not text",
            ("name_type",),
        ),
        CONTROL_CHARACTERS_IN_NAME,
        Rule(
            "duplicate_vendor_name",
            "ExpectColumnValuesToBeUnique",
            {"column": "name_key"},
            "{label}: another active vendor has the same company name as {name} (case, spaces, "
            "punctuation and legal suffixes aside); one company is one Xero supplier: merge or rename "
            "in Procore",
            shows=("name",),
        ),
        Rule(
            "contact_name_too_long",
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "name", "max_value": XERO_CONTACT_NAME_MAX},
            f"{{label}}: the name is longer than Xero's {XERO_CONTACT_NAME_MAX} characters",
        ),
    ),
    derived={"name_key": "name"},
    approvable=frozenset({CONTACT_NEAR_MATCH}),
    referenced_later=("procore/vendors",),
)
