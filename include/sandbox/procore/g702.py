"""What every AIA G702/G703 figure rests on: the billing error, retainage at a percentage, column totals and
the G702 certificate (earned less retainage = completed and stored to date − total retainage; current payment
due = earned less retainage − less previous certificates for payment).

Shared by subcontractor invoices (``invoice_items``) and owner payment applications (``owner_invoices``), in
the emulator and the seed generator, so every invoice, seeded or created, obeys the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.procore.money import CENT

ZERO = Decimal("0.00")


class BillingError(ValueError):
    """A billed line breaks a G703 rule; ``field`` names the offending input."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def retainage_on(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def column_total(lines: Iterable[Mapping[str, Any]], key: str) -> Decimal:
    """One G703 column added up over an invoice's lines."""
    return sum((line[key] for line in lines), ZERO)


def certificate(
    contract_sum: Decimal, completed: Decimal, retainage: Decimal, previous: Decimal
) -> dict[str, Decimal]:
    """The G702 lines from total retainage to balance to finish: what follows from the contract sum to date,
    completed and stored to date, total retainage and less previous certificates for payment."""
    earned = completed - retainage
    return {
        "total_retainage": retainage,
        "total_earned_less_retainage": earned,
        "less_previous_certificates_for_payment": previous,
        "current_payment_due": earned - previous,
        "balance_to_finish_including_retainage": contract_sum - earned,
    }
