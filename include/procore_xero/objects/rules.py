"""The vocabulary of the checks the sync makes before writing, and the rules several objects share.

Each object module (``procore_xero.objects.<name>``) lists its own rules; a rule is the GX expectation,
reason and message. Rules are plain data so this module imports without Great Expectations (a 2 s import
that DAG parsing must not pay); ``validation.suite`` turns them into expectations inside the task. Each
rule names a built-in GX expectation class and its arguments over the frame contract's validation columns
(see ``outgoing.py``).

Cross-column rules use GX's pair and compound expectations (``UnexpectedRowsExpectation`` does not run on
pandas): the GX results then show both columns of every failing row. Money columns reach GX as integer
cents (``gx_frame.py``), so those comparisons are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NOT_BLANK = r"\S"

# Reasons the Xero loader holds a record with, where a person may overrule it: it reads the approval itself
# and sends the record on the next run (``to_xero.contact_matches``, ``to_xero.gone_in_xero``).
CONTACT_NEAR_MATCH = "contact_name_near_match"
GONE_IN_XERO = frozenset({"voided_in_xero", "missing_in_xero"})


@dataclass(frozen=True)
class Setting:
    """An expectation argument read from the tenant's ``settings:`` section when the suite is built."""

    key: str


@dataclass(frozen=True)
class Rule:
    """One expectation and what its failure means for the controller.

    ``message`` is formatted with the failing row's columns and the settings (``{label}`` is the record's
    identity); ``note`` rules are recorded in the exception queue but do not hold the record. ``shows``
    names the columns whose values go into the exception's details (default: the expectation's columns).
    """

    reason: str
    expectation: str
    kwargs: Mapping[str, Any]
    message: str
    note: bool = False
    shows: tuple[str, ...] = ()

    def columns(self) -> tuple[str, ...]:
        """The frame columns the expectation reads."""
        named = [self.kwargs.get(key) for key in ("column", "column_A", "column_B")]
        return tuple(c for c in [*named, *self.kwargs.get("column_list", ())] if c)

    def shown_columns(self) -> tuple[str, ...]:
        return self.shows or self.columns()


@dataclass(frozen=True)
class ObjectRules:
    """The suite of one object type: its rules, its money columns and the columns derived for GX."""

    target_type: str
    rules: tuple[Rule, ...]
    money_columns: tuple[str, ...] = ()
    optional_money: tuple[str, ...] = ()  # money columns where None is meaningful (no budget on the codes)
    derived: Mapping[str, str] = field(default_factory=dict)  # derived column -> the column it normalises


def is_true(column: str, reason: str, message: str, shows: tuple[str, ...] = ()) -> Rule:
    return Rule(
        reason, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": [True]}, message, shows=shows
    )


def present(column: str, reason: str, message: str) -> tuple[Rule, Rule]:
    """Not null and not blank: GX map expectations skip nulls, so both are needed."""
    return (
        Rule(reason, "ExpectColumnValuesToNotBeNull", {"column": column}, message),
        Rule(reason, "ExpectColumnValuesToMatchRegex", {"column": column, "regex": NOT_BLANK}, message),
    )


def equal(column_a: str, column_b: str, reason: str, message: str) -> Rule:
    return Rule(
        reason, "ExpectColumnPairValuesToBeEqual", {"column_A": column_a, "column_B": column_b}, message
    )


def at_least(column_a: str, column_b: str, reason: str, message: str) -> Rule:
    """``column_a >= column_b``; rows where either is missing are not judged (e.g. no budget)."""
    kwargs = {
        "column_A": column_a,
        "column_B": column_b,
        "or_equal": True,
        "ignore_row_if": "either_value_is_missing",
    }
    return Rule(reason, "ExpectColumnPairValuesAToBeGreaterThanB", kwargs, message)


def mapping_rules(contact_mapped: str, contact_message: str) -> tuple[Rule, ...]:
    """What every document needs in Xero first: its contact, project option, line items and currency."""
    return (
        is_true(contact_mapped, "unmapped_vendor", contact_message),
        is_true(
            "project_option_mapped",
            "project_not_synced",
            "{label}: project {project_id} is not a tracking option in Xero",
        ),
        Rule(
            "unmapped_cost_code",
            "ExpectColumnValuesToBeInSet",
            {"column": "unmapped_lines", "value_set": [0]},
            "{label}: {unmapped_lines} line(s) have a cost code that is not an item in Xero",
        ),
        is_true(
            "currency_enabled", "currency_not_enabled", "{label}: currency {currency} is not enabled in Xero"
        ),
    )


# The money checks bills and sales invoices share (Procore's invoice summary against the lines we send).
INVOICE_MONEY_RULES = (
    is_true(
        "date_valid",
        "invalid_invoice_date",
        "{label}: the billing date {date} is not a date (YYYY-MM-DD); Xero would refuse it or date it today",
        shows=("date",),
    ),
    is_true(
        "has_summary",
        "missing_invoice_summary",
        "{label}: Procore sent no summary (G702 figures); the amount due cannot be checked",
    ),
    is_true("has_lines", "nothing_billed", "{label}: no line has an amount this period; nothing to send"),
    Rule(
        "negative_invoice",
        "ExpectColumnValuesToBeBetween",
        {"column": "net_due", "min_value": 0},
        "{label}: net amount due is {net_due}; negative invoices are not exported",
    ),
    at_least(
        "gross_this_period",
        "retainage_held",
        "retainage_above_gross",
        "{label}: retainage held {retainage_held} is above the gross billed this period {gross_this_period}",
    ),
    equal(
        "sov_total",
        "gross_this_period",
        "sov_lines_do_not_sum",
        "{label}: SOV lines billed sum to {sov_total}; gross this period is {gross_this_period}",
    ),
    equal(
        "lines_total",
        "net_due",
        "bill_total_not_net_due",
        "{label}: the lines total {lines_total}, Procore's net amount due is {net_due}",
    ),
)


# A PO (Procore commitment or Xero-raised) above what its budget codes have left: the controller decides.
ABOVE_REMAINING_BUDGET = at_least(
    "remaining_budget",
    "total",
    "po_above_remaining_budget",
    "{label}: total {total} is above the remaining budget {remaining_budget}; "
    "waiting for the controller's approval",
)
# Xero lines coming back to Procore that no budget code fits.
UNCODED_XERO_LINES = Rule(
    "unmapped_cost_code",
    "ExpectColumnValuesToBeInSet",
    {"column": "unmapped_lines", "value_set": [0]},
    "{label}: {unmapped_lines} line(s) have no budget code (no cost code item and no "
    "cost_code_lookup entry for the account)",
)
# A vendor / contact name is one line of printable text in both systems.
CONTROL_CHARACTERS_IN_NAME = Rule(
    "vendor_name_control_characters",
    "ExpectColumnValuesToBeInSet",
    {"column": "name_controls", "value_set": [""]},
    "{label}: the name holds control characters ({name_controls}); a name is one line of printable text",
)
VENDOR_NOT_MAPPED = "{label}: vendor {vendor_id} is not a contact in Xero"
DOCUMENT_MONEY = (
    "gross_this_period",
    "retainage_held",
    "retainage_released",
    "net_due",
    "lines_total",
    "sov_total",
)
