"""Lines go to Xero as Xero will store them (unit amounts to 2 decimals, amount = quantity × unit), and a bill
keeps nothing in ``Reference`` (Xero drops it on ACCPAY)."""

from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from procore_xero.mapping import load_spec
from procore_xero.mapping.lines import as_xero_stores, line_items


def _lines(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "doc_id": "30",
                "order": order,
                "item_code": "03-300-S",
                "description": description,
                "quantity": D(quantity),
                "unit_amount": D(unit),
                "line_amount": D(amount),
                "account_code": "310",
                "tax_type": "NONE",
                "option": "25-101 Hotel",
            }
            for order, (description, quantity, unit, amount) in enumerate(rows)
        ]
    )


def test_a_line_that_does_not_multiply_out_at_two_decimals_goes_as_one_times_its_amount() -> None:
    frame = _lines(
        ("Rebar", "1250", "87.333", "109166.25"),  # Xero would keep 87.33: 109,162.50, 3.75 short
        ("Forms", "4", "100.00", "400.00"),
        ("Ties", "3", "0.10", "0.31"),  # Procore's amount is not its quantity × unit
        ("Sand", "2.5", "10.05", "25.13"),  # 25.125 rounds half up to Xero's 25.13: sent as is
    )
    (lines,) = line_items(frame, pd.Series(["30"]), "Project")
    assert [
        (line["Description"], line["Quantity"], line["UnitAmount"], line["LineAmount"]) for line in lines
    ] == [
        ("Rebar (1250 × 87.333 in Procore)", D(1), D("109166.25"), D("109166.25")),
        ("Forms", D("4"), D("100.00"), D("400.00")),
        ("Ties (3 × 0.1 in Procore)", D(1), D("0.31"), D("0.31")),
        ("Sand", D("2.5"), D("10.05"), D("25.13")),
    ]
    assert sum(line["Quantity"] * line["UnitAmount"] for line in lines[:3]) == D("109566.56")
    assert all(line["Tracking"] == [{"Name": "Project", "Option": "25-101 Hotel"}] for line in lines)


def test_quantities_beyond_four_decimals_and_amount_only_lines() -> None:
    assert as_xero_stores(
        {"Description": "Fill", "Quantity": D("0.33333"), "UnitAmount": D("3.00"), "LineAmount": D("1.00")}
    ) == {"Quantity": D(1), "UnitAmount": D("1.00"), "Description": "Fill (0.33333 × 3 in Procore)"}
    assert as_xero_stores({"Quantity": D(1), "UnitAmount": None, "LineAmount": D("5.00")}) == {}


def test_bills_keep_nothing_in_reference() -> None:
    spec = load_spec()
    assert "Reference" not in spec.fields("bills")
    assert "Reference" in spec.fields("sales_invoices")  # ACCREC keeps it
