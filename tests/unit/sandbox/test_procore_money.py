"""How the Procore emulator puts amounts on the wire: strings by default, numbers where a resource opts in."""

from __future__ import annotations

import json
from decimal import Decimal

from sandbox.procore.money import as_numbers, decimalize, render_json


def test_amounts_are_strings_with_at_least_two_decimals() -> None:
    record = {
        "grand_total": Decimal("1234.5"),
        "unit_cost": Decimal("87.333"),
        "number": 7,
        "nested": [{"amount": Decimal("-0.10")}],
    }
    text = render_json(record)
    assert text == '{"grand_total":"1234.50","unit_cost":"87.333","number":7,"nested":[{"amount":"-0.10"}]}'
    assert json.loads(text)["grand_total"] == "1234.50"


def test_a_resource_opts_into_numbers_all_or_by_key() -> None:
    row = {"revised_budget": Decimal("1000.00"), "cost_code": {"id": 5, "rate": Decimal("1.25")}}
    assert render_json(as_numbers(row)) == '{"revised_budget":1000.00,"cost_code":{"id":5,"rate":1.25}}'
    keyed = as_numbers(
        {"currency_exchange_rate": Decimal("1.3500"), "amount": Decimal("2.00")}, {"currency_exchange_rate"}
    )
    assert render_json(keyed) == '{"currency_exchange_rate":1.3500,"amount":"2.00"}'
    assert render_json(row) == '{"revised_budget":"1000.00","cost_code":{"id":5,"rate":"1.25"}}'  # a copy


def test_requests_may_send_amounts_as_strings_or_numbers() -> None:
    body = json.loads('{"amount": "1234.56", "quantity": 3, "unit_cost": 19.99}', parse_float=Decimal)
    assert decimalize(body) == {
        "amount": Decimal("1234.56"),
        "quantity": Decimal("3.00"),
        "unit_cost": Decimal("19.99"),
    }
