"""Procore amounts parsed exactly from the strings Procore sends (and the numbers it sends for budgets)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from procore_xero.amounts import AmountError, parse_amount
from procore_xero.mapping.frames import money
from procore_xero.reports.money import dec


@pytest.mark.parametrize(
    ("sent", "parsed"),
    [
        ("1234.50", Decimal("1234.50")),
        ("-0.01", Decimal("-0.01")),
        ("87.333", Decimal("87.333")),
        ("100", Decimal("100")),
        (Decimal("0.10"), Decimal("0.10")),
        (42, Decimal(42)),
        ("0.1E+1", Decimal("1")),
    ],
)
def test_strings_and_numbers_parse_exactly(sent: object, parsed: Decimal) -> None:
    assert parse_amount(sent) == parsed
    assert str(parse_amount(sent)) == str(parsed)  # the digits sent, not a float's


@pytest.mark.parametrize("bad", ["", " 12.00", "12,00", "1.2.3", "NaN", "Infinity", "abc", True, 1.5, [], {}])
def test_what_is_not_an_amount_is_refused_by_name(bad: object) -> None:
    with pytest.raises(AmountError, match=r"amount|finite"):
        parse_amount(bad)


def test_a_frame_column_names_the_bad_row_and_sums_to_the_cent() -> None:
    column = pd.Series(["0.10", "0.20", None, Decimal("0.70")], name="amount", dtype=object)
    assert sum(money(column), Decimal(0)) == Decimal("1.00")
    with pytest.raises(AmountError, match=r"grand_total of row 1: '1,200\.00' is not an amount"):
        money(pd.Series(["5.00", "1,200.00"], name="grand_total", dtype=object))


def test_the_report_reads_the_same_way() -> None:
    assert dec("1111.09") + dec(Decimal("0.01")) == Decimal("1111.10")
    assert dec(None) == Decimal("0.00")
    with pytest.raises(AmountError):
        dec(0.1)
