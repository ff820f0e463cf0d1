"""Xero payments on bills the sync made from Procore subcontractor invoices -> Procore payments issued."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from procore_xero.objects.model import Direction, SyncObject
from procore_xero.objects.rules import Rule

if TYPE_CHECKING:
    from procore_xero.objects.model import Built


def build(engine: Any, tenant: Any, spec: Any, known: Any) -> Built:
    """Counts the payments on bills not from Procore, left alone on purpose."""
    from procore_xero.mapping.inbound.payments import ignored_payments, transform_payments
    from procore_xero.mapping.staged import read_staged
    from procore_xero.mapping.xero_staged import read_xero_staged

    payments = read_xero_staged(engine, "payments", tenant.tenant_id, include_deleted=True)
    requisitions = read_staged(engine, "requisitions", tenant.company_id)
    return (
        transform_payments(payments, requisitions, known, spec),
        {"ignored_payments": ignored_payments(payments, known)},
    )


PAYMENTS = SyncObject(
    name="payments",
    direction=Direction.TO_PROCORE,
    dag="xero_to_procore",
    staged=("requisitions",),
    staged_xero=("payments",),
    build=build,
    mapping="procore_xero.mapping.inbound.payments",
    target="contract_payments",
    natural_key={"origin_id": "source_id"},
    rules=(
        Rule(
            "payment_not_positive",
            "ExpectColumnValuesToBeBetween",
            {"column": "amount", "min_value": 1},
            "{label}: the amount {amount} is not positive",
        ),
        Rule(
            "commitment_not_staged",
            "ExpectColumnValuesToNotBeNull",
            {"column": "contract_id"},
            "{label}: subcontractor invoice {requisition_id} is not staged with its commitment",
            shows=("requisition_id",),
        ),
        Rule(
            "missing_payment_date",
            "ExpectColumnValuesToNotBeNull",
            {"column": "date"},
            "{label}: the payment has no date",
        ),
    ),
    money_columns=("amount",),
)
