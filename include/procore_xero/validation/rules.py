"""Every check the sync makes before writing to Xero: per object type, the GX expectation, reason, message.

Rules are plain data so this module imports without Great Expectations (a 2 s import that DAG parsing
must not pay); ``suite.py`` turns them into expectations inside the task. Each rule names a built-in GX
expectation class and its arguments over the frame contract's validation columns (see ``outgoing.py``).

Cross-column rules use GX's pair and compound expectations (``UnexpectedRowsExpectation`` does not run on
pandas): the GX results then show both columns of every failing row. Money columns reach GX as integer
cents (``gx_frame.py``), so those comparisons are exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

XERO_ITEM_CODE_MAX = 30
XERO_CONTACT_NAME_MAX = 255
NOT_BLANK = r"\S"


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


def _is_true(column: str, reason: str, message: str, shows: tuple[str, ...] = ()) -> Rule:
    return Rule(
        reason, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": [True]}, message, shows=shows
    )


def _present(column: str, reason: str, message: str) -> tuple[Rule, Rule]:
    """Not null and not blank: GX map expectations skip nulls, so both are needed."""
    return (
        Rule(reason, "ExpectColumnValuesToNotBeNull", {"column": column}, message),
        Rule(reason, "ExpectColumnValuesToMatchRegex", {"column": column, "regex": NOT_BLANK}, message),
    )


def _equal(column_a: str, column_b: str, reason: str, message: str) -> Rule:
    return Rule(
        reason, "ExpectColumnPairValuesToBeEqual", {"column_A": column_a, "column_B": column_b}, message
    )


def _at_least(column_a: str, column_b: str, reason: str, message: str) -> Rule:
    """``column_a >= column_b``; rows where either is missing are not judged (e.g. no budget)."""
    kwargs = {
        "column_A": column_a,
        "column_B": column_b,
        "or_equal": True,
        "ignore_row_if": "either_value_is_missing",
    }
    return Rule(reason, "ExpectColumnPairValuesAToBeGreaterThanB", kwargs, message)


def _mapping_rules(contact_mapped: str, contact_message: str) -> tuple[Rule, ...]:
    """What every document needs in Xero first: its contact, project option, line items and currency."""
    return (
        _is_true(contact_mapped, "unmapped_vendor", contact_message),
        _is_true(
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
        _is_true(
            "currency_enabled", "currency_not_enabled", "{label}: currency {currency} is not enabled in Xero"
        ),
    )


# The money checks bills and sales invoices share (Procore's invoice summary against the lines we send).
_INVOICE_MONEY_RULES = (
    _is_true(
        "date_valid",
        "invalid_invoice_date",
        "{label}: the billing date {date} is not a date (YYYY-MM-DD); Xero would refuse it or date it today",
        shows=("date",),
    ),
    _is_true(
        "has_summary",
        "missing_invoice_summary",
        "{label}: Procore sent no summary (G702 figures); the amount due cannot be checked",
    ),
    _is_true("has_lines", "nothing_billed", "{label}: no line has an amount this period; nothing to send"),
    Rule(
        "negative_invoice",
        "ExpectColumnValuesToBeBetween",
        {"column": "net_due", "min_value": 0},
        "{label}: net amount due is {net_due}; negative invoices are not exported",
    ),
    _at_least(
        "gross_this_period",
        "retainage_held",
        "retainage_above_gross",
        "{label}: retainage held {retainage_held} is above the gross billed this period {gross_this_period}",
    ),
    _equal(
        "sov_total",
        "gross_this_period",
        "sov_lines_do_not_sum",
        "{label}: SOV lines billed sum to {sov_total}; gross this period is {gross_this_period}",
    ),
    _equal(
        "lines_total",
        "net_due",
        "bill_total_not_net_due",
        "{label}: the lines total {lines_total}, Procore's net amount due is {net_due}",
    ),
)


# A PO (Procore commitment or Xero-raised) above what its budget codes have left: the controller decides.
_ABOVE_REMAINING_BUDGET = _at_least(
    "remaining_budget",
    "total",
    "po_above_remaining_budget",
    "{label}: total {total} is above the remaining budget {remaining_budget}; "
    "waiting for the controller's approval",
)
# Xero lines coming back to Procore that no budget code fits.
_UNCODED_XERO_LINES = Rule(
    "unmapped_cost_code",
    "ExpectColumnValuesToBeInSet",
    {"column": "unmapped_lines", "value_set": [0]},
    "{label}: {unmapped_lines} line(s) have no budget code (no cost code item and no "
    "cost_code_lookup entry for the account)",
)
# A vendor / contact name is one line of printable text in both systems.
_CONTROL_CHARACTERS_IN_NAME = Rule(
    "vendor_name_control_characters",
    "ExpectColumnValuesToBeInSet",
    {"column": "name_controls", "value_set": [""]},
    "{label}: the name holds control characters ({name_controls}); a name is one line of printable text",
)
_VENDOR_NOT_MAPPED = "{label}: vendor {vendor_id} is not a contact in Xero"
_DOCUMENT_MONEY = (
    "gross_this_period",
    "retainage_held",
    "retainage_released",
    "net_due",
    "lines_total",
    "sov_total",
)

# Keyed like the ``objects:`` section of the mapping spec.
OBJECT_RULES: dict[str, ObjectRules] = {
    "tracking_options": ObjectRules(
        "TrackingOptions",
        (
            *_present("job_number", "missing_job_number", "{label}: the project has no job number"),
            Rule(
                "wrong_stage",
                "ExpectColumnValuesToNotBeNull",
                {"column": "stage_name"},
                "{label}: the project has no stage; only projects at '{send_to_xero_stage}' are sent",
            ),
            Rule(
                "wrong_stage",
                "ExpectColumnValuesToBeInSet",
                {"column": "stage_name", "value_set": [Setting("send_to_xero_stage")]},
                "{label}: the project is at stage '{stage_name}'; only '{send_to_xero_stage}' is sent",
            ),
            Rule(
                "duplicate_job_number",
                "ExpectColumnValuesToBeUnique",
                {"column": "job_number"},
                "{label}: job number {job_number} is used by another project",
            ),
        ),
    ),
    "items": ObjectRules(
        "Items",
        (
            Rule(
                "item_code_too_long",
                "ExpectColumnValueLengthsToBeBetween",
                {"column": "code", "max_value": XERO_ITEM_CODE_MAX},
                f"{{label}}: item code {{code}} is longer than Xero's {XERO_ITEM_CODE_MAX} characters",
            ),
            Rule(
                "item_name_truncated",
                "ExpectColumnValuesToBeInSet",
                {"column": "name_truncated", "value_set": [False]},
                "{label}: description cut to Xero's 50-character item name",
                note=True,
                shows=("name_truncated", "description"),
            ),
        ),
    ),
    "contacts": ObjectRules(
        "Contacts",
        (
            *_present("name", "missing_vendor_name", "{label}: the vendor has no name"),
            _is_true(
                "name_is_text",
                "vendor_name_not_text",
                "{label}: the name field holds a {name_type}, not text",
                ("name_type",),
            ),
            _CONTROL_CHARACTERS_IN_NAME,
            Rule(
                "duplicate_vendor_name",
                "ExpectColumnValuesToBeUnique",
                {"column": "name_key"},
                "{label}: another active vendor has the same company name as {name} (case, spaces, "
                "punctuation and legal suffixes aside); one company is one Xero supplier: merge or rename "
                "in Procore",
                shows=("name",),
            ),
            Rule(
                "contact_name_too_long",
                "ExpectColumnValueLengthsToBeBetween",
                {"column": "name", "max_value": XERO_CONTACT_NAME_MAX},
                f"{{label}}: the name is longer than Xero's {XERO_CONTACT_NAME_MAX} characters",
            ),
        ),
        derived={"name_key": "name"},
    ),
    "purchase_orders": ObjectRules(
        "PurchaseOrders",
        (
            *_mapping_rules("contact_mapped", _VENDOR_NOT_MAPPED),
            _ABOVE_REMAINING_BUDGET,
        ),
        money_columns=("total", "remaining_budget"),
        optional_money=("remaining_budget",),
    ),
    "bills": ObjectRules(
        "Invoices",
        (
            *_mapping_rules("contact_mapped", _VENDOR_NOT_MAPPED),
            _is_true(
                "has_items",
                "missing_invoice_items",
                "{label}: Procore sent no items (G703 lines), where the period's figures are; "
                "they come only with view=extended",
            ),
            Rule(
                "amount_not_a_number",
                "ExpectColumnValuesToBeInSet",
                {"column": "bad_amounts", "value_set": [""]},
                "{label}: not an amount: {bad_amounts}",
            ),
            *_INVOICE_MONEY_RULES,
            Rule(
                "duplicate_invoice_number",
                "ExpectCompoundColumnsToBeUnique",
                {"column_list": ["vendor_id", "invoice_number"]},
                "{label}: vendor {vendor_id} has another bill numbered {invoice_number}",
            ),
        ),
        money_columns=_DOCUMENT_MONEY,
    ),
    "sales_invoices": ObjectRules(
        "Invoices",
        (
            *_mapping_rules("owner_contact_mapped", "{label}: the project's owner is not a contact in Xero"),
            *_INVOICE_MONEY_RULES,
        ),
        money_columns=_DOCUMENT_MONEY,
    ),
    # ---- Money coming back (Xero -> Procore)
    "vendors": ObjectRules(
        "vendors",
        (
            *_present("name", "missing_vendor_name", "{label}: the contact has no name"),
            _CONTROL_CHARACTERS_IN_NAME,
            Rule(
                "ambiguous_vendor_match",
                "ExpectColumnValuesToBeBetween",
                {"column": "match_count", "max_value": 1},
                "{label}: {match_count} Procore vendors share this name (ids {matched_vendor_ids}); "
                "which one it is needs a person",
                shows=("match_count", "matched_vendor_ids"),
            ),
        ),
    ),
    "payments": ObjectRules(
        "contract_payments",
        (
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
    ),
    "direct_costs": ObjectRules(
        "direct_costs",
        (
            _UNCODED_XERO_LINES,
            _is_true(
                "currency_matches",
                "currency_mismatch",
                "{label}: the document is in {currency}, the project in {project_currency}",
            ),
            Rule(
                "vendor_not_in_procore",
                "ExpectColumnValuesToBeInSet",
                {"column": "vendor_linked", "value_set": [True]},
                "{label}: the contact is not linked to a Procore vendor, and Procore requires one on a "
                "direct cost (see the vendors step)",
            ),
        ),
        money_columns=("total",),
    ),
    "xero_purchase_orders": ObjectRules(
        "purchase_order_contracts",
        (
            _is_true(
                "project_mapped",
                "project_not_synced",
                "{label}: its lines are not all tracked to one synced project",
            ),
            _UNCODED_XERO_LINES,
            _is_true(
                "vendor_mapped",
                "unmapped_vendor",
                "{label}: the contact is not a Procore vendor yet (see the vendors step)",
            ),
            _ABOVE_REMAINING_BUDGET,
        ),
        money_columns=("total", "remaining_budget"),
        optional_money=("remaining_budget",),
    ),
}
