"""Active Procore vendors -> Xero Contacts, the vendor id kept as ``ContactNumber`` (the external key)."""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.frames import control_characters, finish, id_text, text_or_none
from procore_xero.mapping.spec import MappingSpec
from procore_xero.objects.contacts import CONTACTS

COLUMNS = ("vendor_id", "name", "contact_number", "name_is_text", "name_type", "name_controls")


def transform_contacts(vendors: pd.DataFrame, spec: MappingSpec) -> pd.DataFrame:
    """Every active vendor; validation holds empty, duplicate, over-long and non-text names (Procore
    sends text; anything else is a malformed record, not a name to stringify)."""
    frame = vendors[vendors["is_active"].astype(bool)].copy()
    frame["vendor_id"] = id_text(frame["id"])
    raw = (
        frame["name"] if "name" in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
    )
    frame["name_is_text"] = [value is None or isinstance(value, str) for value in raw]
    frame["name_type"] = [type(value).__name__ for value in raw]
    frame["name"] = text_or_none(raw)
    frame["name_controls"] = control_characters(frame["name"])
    frame["contact_number"] = frame["vendor_id"]
    frame["source_id"] = frame["vendor_id"]
    frame["label"] = "Vendor " + frame["name"].fillna("(no name)") + " #" + frame["vendor_id"]
    return finish(
        frame,
        target_type=CONTACTS.target_type,
        source_type="procore/vendors",
        natural_key=CONTACTS.natural_key,
        fields=spec.fields("contacts"),
        columns=COLUMNS,
    )
