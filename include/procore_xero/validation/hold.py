"""Failures become exceptions: one per record and reason, bumped (not duplicated) when seen again."""

from __future__ import annotations

import unicodedata

from sqlalchemy import Connection, Engine

from procore_xero.staging.engine import transaction
from procore_xero.staging.exceptions_queue import Problem, raise_exception
from procore_xero.staging.keys import TenantKey
from procore_xero.validation.outcome import Failure, ValidationOutcome

MAX_TEXT = 1_000  # characters of a label or message the queue keeps


def hold_failures(
    bind: Engine | Connection, tenant: TenantKey, outcome: ValidationOutcome, run_id: str | None
) -> list[int]:
    """Queue every failure of the outcome (notes too: the controller sees them, the record still loads).

    Returns the exception ids, in the outcome's order; all are written in one transaction.
    """
    with transaction(bind) as connection:
        return [
            raise_exception(
                connection,
                problem(tenant, failure),
                source_label=readable(failure.label),
                message=readable(failure.message),
                details=failure.details(),
                run_id=run_id,
            )
            for failure in outcome.failures
        ]


def readable(text: str, limit: int = MAX_TEXT) -> str:
    """Text for the controller's queue: control characters shown as escapes (a NUL cannot be stored in a
    PostgreSQL text column, a line break would break the listing) and text made huge by a hostile value
    cut in the middle, saying how long it was, so the message's ending (why it is held) stays; the
    exception's details keep the values as they came."""
    shown = "".join(repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in text)
    if len(shown) <= limit:
        return shown
    half = limit // 2
    return f"{shown[:half]} …({len(shown):,} characters)… {shown[-half:]}"


def problem(tenant: TenantKey, failure: Failure) -> Problem:
    """The queue's identity of a failure: ``source_type`` "procore/requisitions" -> system + object type."""
    system, _, object_type = failure.source_type.partition("/")
    if not object_type:
        raise ValueError(f"source_type {failure.source_type!r} is not '<system>/<object type>'")
    return Problem(tenant, system, object_type, failure.source_id, failure.reason_code)
