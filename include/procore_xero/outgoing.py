"""What the transforms hand to validation and the loaders: one row per record the sync wants in the target.

A transform returns a pandas DataFrame with the ``FRAME_COLUMNS`` below (plus columns of its own that
its validation suite checks). ``to_outgoing`` turns the rows that passed validation into ``Outgoing``
records for the loader. Keeping this contract in one place lets the three stages change independently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from procore_xero.objects import PROCORE_TARGET_TYPES, XERO_TARGET_TYPES
from procore_xero.staging.jsoncodec import content_hash

# Xero endpoints (TrackingOptions = PUT TrackingCategories/{id}/Options), then Procore resources (through
# their sync actions), each in its objects' order.
TARGET_TYPES = XERO_TARGET_TYPES + PROCORE_TARGET_TYPES

FRAME_COLUMNS = ("target_type", "source_type", "source_id", "label", "natural_key", "payload")


@dataclass(frozen=True)
class Outgoing:
    """One record for the target system (Xero, or Procore for money coming back).

    ``source_type`` names the source collection (``"procore/vendors"``); ``label`` is the human-readable
    identity the exception queue shows ("Invoice 7 on PO WO-0042 (Acme Concrete LLC)"); ``natural_key``
    finds the record in Xero without the crosswalk (``ContactNumber``, item ``Code``, tracking option
    ``Name``, ``PurchaseOrderNumber``, ``InvoiceNumber`` + ``ContactID`` for bills), which is how a write
    whose answer was lost is recognised on retry; ``payload`` is the Xero element (Decimal amounts),
    without the target's own id.
    """

    target_type: str
    source_type: str
    source_id: str
    label: str
    natural_key: Mapping[str, str]
    payload: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.target_type not in TARGET_TYPES:
            raise ValueError(f"unknown target type {self.target_type!r}; expected one of {TARGET_TYPES}")

    def content_hash(self) -> str:
        """Stable over runs: what ``id_map.payload_hash`` stores to skip unchanged records."""
        return content_hash(self.payload)


def to_outgoing(frame: Any) -> list[Outgoing]:
    """The rows of a transform's DataFrame as ``Outgoing`` records (extra columns are ignored)."""
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"transform frame lacks the columns {missing}")
    return [Outgoing(**row) for row in frame[list(FRAME_COLUMNS)].to_dict("records")]
