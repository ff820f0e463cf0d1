"""Procore cost codes x cost types -> Xero items (one item per budget code), plus the retainage item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.rules import Rule

if TYPE_CHECKING:
    import pandas as pd

    from procore_xero.objects.model import Frames

XERO_ITEM_CODE_MAX = 30


def transform(frames: Frames, _known: Any, spec: Any) -> pd.DataFrame:
    from procore_xero.mapping.items import transform_items

    return transform_items(frames["cost_codes"], frames["line_item_types"], spec)


ITEMS = SyncObject(
    name="items",
    direction=Direction.TO_XERO,
    dag="procore_to_xero",
    staged=("cost_codes", "line_item_types"),
    transform=transform,
    mapping="procore_xero.mapping.items",
    target=XeroTarget("Items", "Items", "ItemID", updatable=True),
    natural_key={"Code": "code"},
    rules=(
        Rule(
            "item_code_too_long",
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "code", "max_value": XERO_ITEM_CODE_MAX},
            f"{{label}}: item code {{code}} is longer than Xero's {XERO_ITEM_CODE_MAX} characters",
        ),
        Rule(
            "item_name_truncated",
            "ExpectColumnValuesToBeInSet",
            {"column": "name_truncated", "value_set": [False]},
            "{label}: description cut to Xero's 50-character item name",
            note=True,
            shows=("name_truncated", "description"),
        ),
    ),
    referenced_later=("procore/cost_codes", "pxsync/settings"),
)
