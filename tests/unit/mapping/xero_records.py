"""Xero records in Xero's JSON form for the Xero -> Procore transform tests."""

from __future__ import annotations

from typing import Any


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
