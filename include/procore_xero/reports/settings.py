"""The report's knobs from the tenant's ``settings:`` (``drift:``, ``controller_emails``, ``from_email``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DEFAULT_UI = "http://localhost:8080"


@dataclass(frozen=True)
class DriftSettings:
    """A budget drift is a finding when it is above ``amount`` and above ``percent`` of the revised budget
    (both, so pennies on small codes and rounding on large ones stay quiet). ``source_statuses`` say which
    Procore documents count (the sync's own definition of finalised)."""

    amount: Decimal
    percent: Decimal
    recipients: tuple[str, ...]
    from_email: str
    top_findings: int
    stale_after_hours: int
    source_statuses: Mapping[str, tuple[str, ...]]
    send_stage: str  # projects at another stage are not sent by design (``reports.by_design``)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> DriftSettings:
        drift = settings.get("drift") or {}
        amount, percent = (
            Decimal(str(drift.get("amount", "1000.00"))),
            Decimal(str(drift.get("percent", "5"))),
        )
        if amount < 0 or percent < 0 or percent.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValueError(f"drift thresholds must be >= 0 (percent to 4 decimals): {amount}, {percent}")
        statuses = settings.get("source_statuses") or {}
        return cls(
            amount=amount,
            percent=percent,
            recipients=tuple(settings.get("controller_emails") or ()),
            from_email=str(settings.get("from_email") or "pxsync@localhost"),
            top_findings=int(drift.get("top_findings", 25)),
            stale_after_hours=int(drift.get("stale_after_hours", 36)),
            source_statuses={
                "commitments": tuple(statuses.get("commitments") or ("Approved", "Complete")),
                "change_orders": tuple(statuses.get("change_orders") or ("approved",)),
                "requisitions": tuple(statuses.get("requisitions") or ("approved",)),
                "payment_applications": tuple(statuses.get("payment_applications") or ("approved",)),
            },
            send_stage=str(settings.get("send_to_xero_stage") or "Send to Xero"),
        )

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)

    @property
    def percent_ppm(self) -> int:
        return int(self.percent * 10_000)
