"""Xero -> Procore lines: company name keys, budget codes, the line coder's precedence, base amounts."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pandas as pd
import pytest

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import LINE_COLUMNS, LineCoder, budget_codes, document_lines, to_base
from procore_xero.mapping.spec import spec_from_document
from procore_xero.mapping.vendor_names import name_key, near_keys

SPEC = load_spec()
# The real settings plus one lookup entry that names an item code: account 310 + item 03-300-M -> 01-100 M.
SPEC_WITH_ITEM_ENTRY = spec_from_document(
    {"settings": SPEC.settings, "objects": SPEC.objects},
    {
        "settings": {
            "cost_code_lookup": [
                *SPEC.settings.cost_code_lookup,
                {
                    "account_code": "310",
                    "item_code": "03-300-M",
                    "cost_code": "01-100",
                    "cost_type": "M",
                },
            ]
        }
    },
)
COST_CODES = records_frame(
    [
        {"id": 100, "biller_id": 7, "biller_type": "Project", "full_code": "03-300"},
        {"id": 101, "biller_id": 7, "biller_type": "Project", "full_code": "01-100"},
        {"id": 200, "biller_id": 8, "biller_type": "Project", "full_code": "03-300"},
    ]
)
COST_TYPES = records_frame([{"id": 1, "code": "M"}, {"id": 2, "code": "L"}])
KNOWN = KnownInProcore(
    project_by_option={"opt-7": "7", "opt-8": "8"}, requisition_by_bill={}, vendor_by_contact={}
)


def _tracking(option_id: str | None) -> list[dict[str, str]]:
    if option_id is None:
        return []
    return [{"Name": "Project", "Option": f"Job {option_id}", "TrackingOptionID": option_id}]


def _line(item: str | None, account: str, amount: Any, option: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "ItemCode": item,
        "AccountCode": account,
        "Description": f"{item or account} {amount}",
        "LineAmount": amount,
        "Tracking": _tracking(option),
        **extra,
    }


def _bill(lines: list[dict[str, Any]], rate: Any = 1.35, doc_id: str = "inv-1") -> dict[str, Any]:
    return {
        "InvoiceID": doc_id,
        "Type": "ACCPAY",
        "Status": "AUTHORISED",
        "Contact": {"ContactID": "c-1", "Name": "Acme"},
        "Date": "/Date(1763510400000+0000)/",
        "CurrencyCode": "CAD",
        "CurrencyRate": rate,
        "LineItems": lines,
    }


# ---- name_key ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme Concrete LLC", "acme concrete"),
        ("ACME Concrete, L.L.C.", "acme concrete"),
        ("  acme   CONCRETE llc ", "acme concrete"),
        ("Smith & Sons Pty Ltd", "smith and sons"),
        ("Smith and Sons", "smith and sons"),
        ("SMITH&SONS", "smith and sons"),
        ("Acme Corp. Ltd.", "acme"),
        ("O'Brien-Smith Co.", "o brien smith"),
        ("Company Store Inc", "company store"),  # suffix words go from the end only
        ("Société Générale S.A.", "société générale"),  # accents kept, "S.A." is a legal form
        ("Straße Bau GmbH", "strasse bau"),  # casefold, not lower
        ("Ｆｕｌｌｗｉｄｔｈ Ｃｏ", "fullwidth"),  # NFKC
        ("Müller_Bau", "müller bau"),
        ("Inc.", "inc"),  # never down to nothing
        ("LLC Inc", "llc"),
        (None, ""),
        ("", ""),
        ("   ", ""),
    ],
)
def test_name_key(name: str | None, key: str) -> None:
    assert name_key(name) == key


def test_name_key_equal_for_the_same_company_and_different_for_others() -> None:
    assert name_key("ACME Concrete, L.L.C.") == name_key("Acme Concrete Inc.") == name_key("acme concrete")
    assert name_key("Acme Concrete") != name_key("Acme Concrete Supply")
    assert name_key("Company") != name_key("Company Store")


# ---- budget_codes / LineCoder ----------------------------------------------------------------------------


def test_budget_codes_cross_cost_codes_with_cost_types_per_project() -> None:
    codes = budget_codes(COST_CODES, COST_TYPES, SPEC)
    assert codes.to_dict("records") == [
        {
            "project_id": "7",
            "item_code": "03-300-M",
            "cost_code_id": "100",
            "line_item_type_id": "1",
            "cost_code": "03-300",
            "cost_type": "M",
        },
        {
            "project_id": "7",
            "item_code": "03-300-L",
            "cost_code_id": "100",
            "line_item_type_id": "2",
            "cost_code": "03-300",
            "cost_type": "L",
        },
        {
            "project_id": "7",
            "item_code": "01-100-M",
            "cost_code_id": "101",
            "line_item_type_id": "1",
            "cost_code": "01-100",
            "cost_type": "M",
        },
        {
            "project_id": "7",
            "item_code": "01-100-L",
            "cost_code_id": "101",
            "line_item_type_id": "2",
            "cost_code": "01-100",
            "cost_type": "L",
        },
        {
            "project_id": "8",
            "item_code": "03-300-M",
            "cost_code_id": "200",
            "line_item_type_id": "1",
            "cost_code": "03-300",
            "cost_type": "M",
        },
        {
            "project_id": "8",
            "item_code": "03-300-L",
            "cost_code_id": "200",
            "line_item_type_id": "2",
            "cost_code": "03-300",
            "cost_type": "L",
        },
    ]


def test_budget_codes_empty_without_cost_codes_or_cost_types() -> None:
    empty = records_frame([])
    for codes, types in ((empty, COST_TYPES), (COST_CODES, empty)):
        frame = budget_codes(codes, types, SPEC)
        assert frame.empty
        assert frame.columns.tolist() == [
            "project_id",
            "item_code",
            "cost_code_id",
            "line_item_type_id",
            "cost_code",
            "cost_type",
        ]


def test_line_coder_reads_the_lookup_table_and_retainage_code() -> None:
    coder = LineCoder.build(budget_codes(COST_CODES, COST_TYPES, SPEC_WITH_ITEM_ENTRY), SPEC_WITH_ITEM_ENTRY)
    assert dict(coder.by_account) == {"429": "01-100-L"}
    assert dict(coder.by_account_and_item) == {("310", "03-300-M"): "01-100-M"}
    assert coder.retainage_code == "RETAINAGE"
    plain = LineCoder.build(budget_codes(COST_CODES, COST_TYPES, SPEC), SPEC)
    assert dict(plain.by_account_and_item) == {}


@pytest.mark.parametrize(
    ("project", "account", "item", "expected"),
    [
        ("7", "310", "03-300-M", "01-100-M"),  # lookup entry with the item code beats the synced item code
        ("7", "400", "03-300-M", "03-300-M"),  # the synced item code
        ("7", "429", "03-300-M", "03-300-M"),  # ... beats the entry by account alone
        ("7", "429", None, "01-100-L"),  # entry by account
        ("7", "429", "99-999-X", "01-100-L"),  # unknown item code: falls back to the account
        ("8", "400", "01-100-M", None),  # item code not a budget code of this project
        ("7", "500", "99-999-X", None),  # nothing matches
        ("7", None, None, None),
    ],
)
def test_line_coder_precedence(
    project: str, account: str | None, item: str | None, expected: str | None
) -> None:
    coder = LineCoder.build(budget_codes(COST_CODES, COST_TYPES, SPEC_WITH_ITEM_ENTRY), SPEC_WITH_ITEM_ENTRY)
    assert coder.item_code(project, account, item) == expected


def test_line_coder_code_is_the_budget_code_row_of_the_project() -> None:
    coder = LineCoder.build(budget_codes(COST_CODES, COST_TYPES, SPEC), SPEC)
    assert coder.code("8", "03-300-M") == {
        "project_id": "8",
        "item_code": "03-300-M",
        "cost_code_id": "200",
        "line_item_type_id": "1",
        "cost_code": "03-300",
        "cost_type": "M",
    }
    assert coder.code("8", "01-100-L") is None
    assert coder.code("7", None) is None
    assert coder.code(None, "03-300-M") is None


# ---- document_lines ------------------------------------------------------------------------------------


def _coded(spec: Any = SPEC_WITH_ITEM_ENTRY) -> LineCoder:
    return LineCoder.build(budget_codes(COST_CODES, COST_TYPES, spec), spec)


def test_document_lines_code_each_line_and_convert_at_the_document_rate() -> None:
    bill = _bill(
        [
            _line("03-300-M", "310", 20.01, "opt-7", Quantity=2, UnitAmount=10.005),
            _line("03-300-M", "400", 100, "OPT-7"),  # option ids compared case-insensitively
            _line(None, "429", 50, "opt-7"),
            _line("99-999-X", "429", 5, "opt-8"),  # 01-100 is no budget code of project 8
            _line("99-999-X", "500", 5, "opt-7"),
            _line("RETAINAGE", "820", -10, "opt-7"),
            _line("03-300-L", "310", 7, "other-option"),  # not a synced project
        ]
    )
    lines = document_lines(records_frame([bill]), KNOWN, _coded())
    assert lines.columns.tolist() == list(LINE_COLUMNS)
    assert lines["doc_id"].tolist() == ["inv-1"] * 7
    assert lines["line_no"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert lines["project_id"].tolist() == ["7", "7", "7", "8", "7", "7", None]
    assert lines["mapped"].tolist() == [True, True, True, False, False, False, False]
    assert lines["retainage"].tolist() == [False, False, False, False, False, True, False]
    assert lines["cost_code_id"].tolist() == ["101", "100", "101", None, None, None, None]
    assert lines["line_item_type_id"].tolist() == ["1", "1", "2", None, None, None, None]
    assert lines["cost_code"].tolist() == ["01-100", "03-300", "01-100", None, None, None, None]
    assert lines["cost_type"].tolist() == ["M", "M", "L", None, None, None, None]
    assert lines["line_amount"].tolist() == [
        D("20.01"),
        D("100.00"),
        D("50.00"),
        D("5.00"),
        D("5.00"),
        D("-10.00"),
        D("7.00"),
    ]
    # base = amount / CurrencyRate (CAD 1.35 per USD), to the cent, per line
    assert lines["line_amount_base"].tolist() == [
        D("14.82"),
        D("74.07"),
        D("37.04"),
        D("3.70"),
        D("3.70"),
        D("-7.41"),
        D("5.19"),
    ]
    first = lines.iloc[0]
    assert (first["item_code"], first["account_code"], first["description"]) == (
        "03-300-M",
        "310",
        "03-300-M 20.01",
    )
    assert (first["quantity"], first["unit_amount"]) == (D("2"), D("10.005"))  # unit amount not rounded
    second = lines.iloc[1]
    assert (second["quantity"], second["unit_amount"]) == (D("1"), D("100.00"))  # defaults: 1 x line amount


def test_document_lines_without_an_entry_naming_the_item_use_the_item_code() -> None:
    bill = _bill([_line("03-300-M", "310", 20.01, "opt-7")], rate=1)
    (line,) = document_lines(records_frame([bill]), KNOWN, _coded(SPEC)).to_dict("records")
    assert (line["cost_code_id"], line["line_item_type_id"], line["mapped"]) == ("100", "1", True)
    assert line["line_amount"] == line["line_amount_base"] == D("20.01")


def test_document_lines_of_spend_money_and_purchase_orders_and_odd_values() -> None:
    spend = {
        "BankTransactionID": "bt-1",
        "CurrencyRate": None,
        "LineItems": [{"AccountCode": 429, "LineAmount": 0.125, "Tracking": _tracking("opt-7")}],
    }
    order = {
        "PurchaseOrderID": "po-1",
        "LineItems": [{"ItemCode": "", "Description": None, "Tracking": None}],
    }
    empty = {"PurchaseOrderID": "po-2", "LineItems": []}
    (spent,) = document_lines(records_frame([spend]), KNOWN, _coded()).to_dict("records")
    orders = document_lines(records_frame([order, empty]), KNOWN, _coded())
    assert orders["doc_id"].tolist() == ["po-1"]
    (ordered,) = orders.to_dict("records")
    assert spent["doc_id"] == "bt-1"
    assert (spent["account_code"], spent["mapped"], spent["cost_code_id"]) == ("429", True, "101")
    assert spent["line_amount"] == spent["line_amount_base"] == D("0.13")  # half up; no rate: base = amount
    assert ordered["item_code"] is None and ordered["account_code"] is None and ordered["description"] == ""
    assert (ordered["line_amount"], ordered["project_id"], ordered["mapped"]) == (D("0.00"), None, False)


def test_document_lines_of_no_documents_is_an_empty_frame_with_the_columns() -> None:
    lines = document_lines(pd.DataFrame(), KNOWN, _coded())
    assert lines.empty and lines.columns.tolist() == list(LINE_COLUMNS)


# ---- to_base -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "base"),
    [
        ("100.00", 1.35, "74.07"),
        ("100.00", "1.35", "74.07"),
        ("-100.00", 1.35, "-74.07"),
        ("20.01", 1.35, "14.82"),
        ("0.01", 1.35, "0.01"),
        ("1000.00", 1.35, "740.74"),
        ("135.00", D("1.350000"), "100.00"),
        ("100.00", 0.75, "133.33"),
        ("0.05", 2, "0.03"),  # exactly half a cent: away from zero
        ("-0.05", 2, "-0.03"),
        ("100.00", 1, "100.00"),
        ("100.00", None, "100.00"),  # no rate: the base currency
        ("100.00", 0, "100.00"),
        ("100.00", "0", "100.00"),
    ],
)
def test_to_base(amount: str, rate: Any, base: str) -> None:
    assert to_base(D(amount), rate) == D(base)
    assert str(to_base(D(amount), rate)) == base


@pytest.mark.parametrize(
    ("name", "others", "near"),
    [
        ("Summit Steel Erector LLC", ["Summit Steel Erectors Inc"], ["summit steel erectors"]),
        ("SummitSteel", ["Summit Steel Inc."], ["summit steel"]),  # the same letters without a space
        ("Summit Steel Erectors Inc.", ["Summit Steel Erectors Inc"], []),  # the same key: no near match
        ("Acme Concrete", ["Acme Concrete Supply", "Acme Steel"], []),  # other companies
        ("", ["Acme"], []),
    ],
)
def test_near_keys_are_close_but_not_the_same(name: str, others: list[str], near: list[str]) -> None:
    assert near_keys(name_key(name), [name_key(other) for other in others]) == near
