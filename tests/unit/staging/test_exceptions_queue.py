from decimal import Decimal

import pytest
from sqlalchemy import Engine

from procore_xero.staging import (
    ExceptionDecisionError,
    ExceptionStatus,
    Problem,
    TenantKey,
    decide,
    decided,
    decided_in_run,
    list_open,
    raise_exception,
    resolve,
)

TENANT = TenantKey(company_id=4_000_000_123, tenant_id="8a1f7c2e-1b2c-4d5e-9f00-aabbccddeeff")
NEGATIVE = Problem(TENANT, "procore", "requisitions", 12, "negative_invoice")
LABEL = "Invoice 12 of PO-0042 (Acme Concrete)"


def _raise(
    engine: Engine, problem: Problem = NEGATIVE, amount: str = "-150.25", run_id: str = "run-1"
) -> int:
    return raise_exception(
        engine,
        problem,
        source_label=LABEL,
        message=f"Invoice 12 of PO-0042: net amount due is {amount}; negative invoices are not exported",
        details={"current_payment_due": Decimal(amount)},
        run_id=run_id,
    )


def test_raising_again_bumps_the_open_one_instead_of_duplicating(staging_engine: Engine) -> None:
    first = _raise(staging_engine)
    again = _raise(staging_engine, amount="-150.30", run_id="run-2")
    other = _raise(staging_engine, Problem(TENANT, "procore", "requisitions", 13, "negative_invoice"))
    assert first == again != other
    queued = {item.id: item for item in list_open(staging_engine, TENANT)}
    assert set(queued) == {first, other}
    item = queued[first]
    assert (item.occurrences, item.status, item.run_id, item.source_label) == (
        2,
        ExceptionStatus.OPEN,
        "run-2",
        LABEL,
    )
    assert item.details == {"current_payment_due": Decimal("-150.30")}
    assert str(item.details["current_payment_due"]) == "-150.30"
    assert item.problem == Problem(TENANT, "procore", "requisitions", "12", "negative_invoice")
    assert item.last_seen_at >= item.created_at


def test_decide_closes_it_and_a_new_occurrence_opens_a_fresh_one(staging_engine: Engine) -> None:
    first = _raise(staging_engine)
    assert (
        decide(staging_engine, first, approve=False, decided_by="controller@example.com")
        is ExceptionStatus.REJECTED
    )
    assert list_open(staging_engine) == []
    with pytest.raises(ExceptionDecisionError, match=f"exception {first} does not exist or is not open"):
        decide(staging_engine, first, approve=True, decided_by="controller@example.com")
    second = _raise(staging_engine)
    assert second != first
    (reopened,) = list_open(staging_engine)
    assert (reopened.id, reopened.occurrences) == (second, 1)


def test_resolve_closes_open_and_approved_ones(staging_engine: Engine) -> None:
    approved = _raise(
        staging_engine, Problem(TENANT, "procore", "purchase_order_contracts", 5, "over_budget")
    )
    decide(staging_engine, approved, approve=True, decided_by="controller@example.com")
    _raise(staging_engine)
    assert (
        resolve(staging_engine, Problem(TENANT, "procore", "purchase_order_contracts", 5, "over_budget")) == 1
    )
    assert resolve(staging_engine, NEGATIVE, run_id="run-3") == 1
    assert resolve(staging_engine, NEGATIVE) == 0
    assert list_open(staging_engine) == []
    assert list_open(staging_engine, TenantKey(1, "x")) == []


def test_an_approval_stays_one_after_its_record_is_posted(staging_engine: Engine) -> None:
    """Posting closes the approved exception (resolved); the next run must still see the approval, or the
    unchanged PO would be held again as a new open exception."""
    over = Problem(TENANT, "procore", "purchase_order_contracts", 5, "po_above_remaining_budget")
    approved = _raise(staging_engine, over, amount="144922.82")
    decide(staging_engine, approved, approve=True, decided_by="cfo", run_id="run-2")
    (recorded,) = decided_in_run(staging_engine, TENANT, "run-2")
    assert (recorded.id, recorded.status, recorded.decided_by) == (approved, ExceptionStatus.APPROVED, "cfo")
    assert decided_in_run(staging_engine, TENANT, "run-1") == []
    assert resolve(staging_engine, over, run_id="run-2") == 1
    assert decided_in_run(staging_engine, TENANT, "run-2") == []  # acted on: nothing left to post
    (latest,) = decided(staging_engine, TENANT, "procore", "purchase_order_contracts").values()
    assert (latest.id, latest.status, latest.details) == (
        approved,
        ExceptionStatus.APPROVED,
        {"current_payment_due": Decimal("144922.82")},
    )
    assert decided(staging_engine, TENANT, "procore", "requisitions") == {}
