"""A success status with an unusable body (a proxy's HTML page, cut-off JSON): retried like a 5xx, then a
``MalformedResponse`` naming the call and what was wrong."""

from __future__ import annotations

import pytest

from procore_xero.clients.errors import MalformedResponse, ServiceUnavailable
from tests.unit.clients.fakes import response
from tests.unit.clients.test_http import make

HTML = {"Content-Type": "text/html"}
JSON = {"Content-Type": "application/json"}


def _raw(status: int, body: str, headers: dict[str, str]):
    return response(status, headers=headers, text=body)


def test_a_bad_body_once_is_retried_and_the_good_answer_used() -> None:
    api, _, fake = make([_raw(200, "<html>maintenance</html>", HTML), response(200, {"Items": []})])
    assert api.request("GET", "/api.xro/2.0/Items").body == {"Items": []}
    assert fake.sleeps == [0.5]


def test_html_every_time_names_the_call_the_type_and_the_start() -> None:
    api, _, _ = make([_raw(200, "<html>maintenance</html>", HTML)] * 3)
    with pytest.raises(MalformedResponse) as raised:
        api.request("GET", "/api.xro/2.0/Items")
    message = str(raised.value)
    assert message.startswith(
        "GET /api.xro/2.0/Items failed with 200: the body is not JSON (text/html, 24 bytes"
    )
    assert "'<html>maintenance</html>'" in message and message.endswith("after 3 attempt(s)")
    assert isinstance(raised.value, ServiceUnavailable) and not raised.value.maybe_applied


def test_truncated_json_on_a_write_is_not_retried_and_may_have_been_applied() -> None:
    api, session, _ = make([_raw(200, '{"Contacts": [{"Name": "Ac', JSON)])
    with pytest.raises(MalformedResponse) as raised:
        api.request("PUT", "/api.xro/2.0/Contacts", json={"Contacts": [{"Name": "Acme"}]})
    assert "the JSON body is truncated or malformed (26 bytes" in str(raised.value)
    assert raised.value.maybe_applied and len(session.sent) == 1
