"""Xero records in Xero's JSON form for the Xero -> Procore transform tests."""

from __future__ import annotations

from typing import Any

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.inbound.lines import LineCoder, budget_codes

# Budget codes of two projects: 7 has 03-300 and 01-100, 8 has 03-300; cost types M and L.
CODER = LineCoder.build(
    budget_codes(
        records_frame(
            [
                {"id": 100, "biller_id": 7, "biller_type": "Project", "full_code": "03-300"},
                {"id": 101, "biller_id": 7, "biller_type": "Project", "full_code": "01-100"},
                {"id": 200, "biller_id": 8, "biller_type": "Project", "full_code": "03-300"},
            ]
        ),
        records_frame([{"id": 1, "code": "M"}, {"id": 2, "code": "L"}]),
        load_spec(),
    ),
    load_spec(),
)


def xero_line(
    item: str | None, account: str, amount: Any, option: str | None, **extra: Any
) -> dict[str, Any]:
    """A document line; ``option`` is both the Project option's name and id (None: not tracked)."""
    tracking = [{"Name": "Project", "Option": option, "TrackingOptionID": option}] if option else []
    return {
        "ItemCode": item,
        "AccountCode": account,
        "Description": f"{item or account} {amount}",
        "Quantity": 1,
        "UnitAmount": amount,
        "LineAmount": amount,
        "Tracking": tracking,
        **extra,
    }
