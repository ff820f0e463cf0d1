"""The report's knobs from the tenant's ``settings:`` (``drift:``, ``controller_emails``, ``from_email``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from procore_xero.mapping.settings import Settings

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
    def from_settings(cls, settings: Settings) -> DriftSettings:
        """Also refuses what the schema lets through but GX cannot compare exactly."""
        amount, percent = settings.drift.amount, settings.drift.percent
        if amount < 0 or percent < 0 or percent.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValueError(f"drift thresholds must be >= 0 (percent to 4 decimals): {amount}, {percent}")
        return cls(
            amount=amount,
            percent=percent,
            recipients=settings.controller_emails,
            from_email=settings.from_email,
            top_findings=settings.drift.top_findings,
            stale_after_hours=settings.drift.stale_after_hours,
            source_statuses=settings.source_statuses,
            send_stage=settings.send_to_xero_stage,
        )

    @property
    def amount_cents(self) -> int:
        return int(self.amount * 100)

    @property
    def percent_ppm(self) -> int:
        return int(self.percent * 10_000)
