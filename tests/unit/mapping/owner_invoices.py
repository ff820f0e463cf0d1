"""Owner invoices as Procore publishes them (``g702`` / ``g703``, ``contract {id}``, amounts as strings),
their prime contract and its lines, for the sales invoice transform tests."""

from __future__ import annotations

from typing import Any

from procore_xero.mapping import records_frame
from procore_xero.mapping.staged import STAGED_PROJECT

PRIME_CONTRACT_ID = 40
PRIME_CONTRACTS = records_frame(
    [
        {
            "id": PRIME_CONTRACT_ID,
            "vendor": {"id": 3, "name": "City of Aurora"},
            "contractor": {"id": 3, "name": "City of Aurora"},
            STAGED_PROJECT: 7,
        }
    ]
)
# Prime contract line 400 is coded 03-300 (cost code 10) with cost type 1 ("S").
PRIME_LINES = records_frame([{"id": 400, "line_item_type": {"id": 1, "name": "Subcontract"}}])


def g703_line(code_id: int, this_period: str, retained: str, released: str = "0.00", **more: str) -> dict:
    return {
        "origin_id": 400,
        "origin_type": "LineItem",
        "cost_code": {"id": code_id},
        "description_of_work": f"work on {code_id}",
        "work_completed_this_period": this_period,
        "work_completed_retainage_retained_this_period": retained,
        "work_completed_retainage_released_this_period": released,
        **more,
    }


def pay_app(number: int, lines: list[dict], payment_due: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": number,
        "number": number,
        "invoice_number": f"ACM-{number}",
        "status": "approved",
        "billing_date": "2026-03-31",
        "contract": {"id": PRIME_CONTRACT_ID, "type": "PrimeContract", "title": "Owner contract"},
        "currency_configuration": {"currency_iso_code": "USD"},
        "g702": {"current_payment_due": payment_due, "total_retainage": "0.00"},
        "g703": lines,
        STAGED_PROJECT: 7,
        **fields,
    }
