"""What tests read from the Procore sandbox's state that Procore publishes on another record."""

from __future__ import annotations

from typing import Any


def project_currency(state: dict[str, Any], project: dict[str, Any]) -> str:
    """A project's currency: its owner (prime) contract's. Procore publishes no currency on projects."""
    return next(
        c["currency_configuration"]["currency_iso_code"]
        for c in state["prime_contracts"]
        if (c.get("project_id") or (c.get("project") or {}).get("id")) == project["id"]
    )
