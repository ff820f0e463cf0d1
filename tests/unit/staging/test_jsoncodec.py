from decimal import Decimal

import pytest

from procore_xero.staging import jsoncodec

EDGE_AMOUNTS = ["0.1", "1234567890.12", "-5.50", "1E-7", "1e-7", "0.00", "12345678901234567890.123456789"]


@pytest.mark.parametrize("text", EDGE_AMOUNTS)
def test_decimal_round_trips_digit_for_digit(text: str) -> None:
    encoded = jsoncodec.dumps({"amount": Decimal(text)})
    decoded = jsoncodec.loads(encoded)["amount"]
    assert isinstance(decoded, Decimal)
    assert str(decoded) == str(Decimal(text))
    assert decoded.as_tuple() == Decimal(text).as_tuple()


def test_dumps_is_canonical_and_hash_ignores_key_order() -> None:
    a = {"b": [1, True, None, 'é"x'], "a": Decimal("2.50")}
    b = {"a": Decimal("2.50"), "b": [1, True, None, 'é"x']}
    assert jsoncodec.dumps(a) == '{"a":2.50,"b":[1,true,null,"é\\"x"]}'
    assert jsoncodec.content_hash(a) == jsoncodec.content_hash(b)
    assert jsoncodec.content_hash(a) != jsoncodec.content_hash({**a, "a": Decimal("2.5")})
    assert len(jsoncodec.content_hash(a)) == 64


def test_loads_keeps_integers_as_int() -> None:
    assert jsoncodec.loads('{"id": 4294967297, "x": 1.10}') == {"id": 4294967297, "x": Decimal("1.10")}
    assert jsoncodec.loads(jsoncodec.dumps([Decimal("5")])) == [5]


@pytest.mark.parametrize("bad", [0.1, Decimal("NaN"), Decimal("Infinity"), {1: "x"}, object()])
def test_refuses_what_it_cannot_write_exactly(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        jsoncodec.dumps({"v": bad})
