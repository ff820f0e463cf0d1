"""Paging and batched writes of the two clients, over a scripted session."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from procore_xero.clients.procore import ProcoreClient
from procore_xero.clients.retry import RetryPolicy
from procore_xero.clients.xero import XeroClient, batch_idempotency_key
from tests.unit.clients.fakes import FakeSession, FakeTime, StaticToken, response

BASE = "http://api.test"


def procore(script: list) -> tuple[ProcoreClient, FakeSession]:
    session, fake = FakeSession(script), FakeTime()
    client = ProcoreClient(
        BASE,
        StaticToken(),
        4000000123,
        session=session,  # type: ignore[arg-type]
        sleep=fake.sleep,
        clock=fake.clock,
    )
    return client, session


def xero(script: list) -> tuple[XeroClient, FakeSession]:
    session, fake = FakeSession(script), FakeTime()
    client = XeroClient(
        BASE,
        StaticToken(),
        "tenant-1",
        session=session,  # type: ignore[arg-type]
        sleep=fake.sleep,
        clock=fake.clock,
        retry=RetryPolicy(jitter=lambda: 0.0),
    )
    return client, session


def test_procore_pages_follow_link_next_at_the_maximum_page_size() -> None:
    next_link = {"Link": f'<{BASE}/rest/v1.0/vendors?page=2&per_page=2000&filters%5Bx%5D=1>; rel="next"'}
    client, session = procore([response(200, [{"id": 1}], next_link), response(200, [{"id": 2}])])
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    pages = list(client.pages("/rest/v1.0/vendors", {"filters[x]": 1}, updated_between=window))
    assert pages == [[{"id": 1}], [{"id": 2}]]
    assert session.sent[0].params == {
        "filters[x]": 1,
        "per_page": 2000,
        "page": 1,
        "filters[updated_at]": "2026-01-01T00:00:00Z...2026-01-02T00:00:00Z",
    }
    assert (
        session.sent[1].url.endswith("page=2&per_page=2000&filters%5Bx%5D=1")
        and session.sent[1].params is None
    )
    assert session.sent[0].headers["Procore-Company-Id"] == "4000000123"
    assert client.calls == {"GET /rest/v1.0/vendors": 2}


def test_procore_sync_sends_at_most_1000_per_call_and_collects_entities_and_errors() -> None:
    answers = [response(200, {"entities": [{"id": n}], "errors": [{"origin_id": f"e{n}"}]}) for n in range(3)]
    client, session = procore(answers)
    records = [{"origin_id": f"o{n}", "amount": 1} for n in range(2500)]
    result = client.sync("/rest/v1.0/projects/7/direct_costs/sync", records, body={"project_id": 7})
    sizes = [len(json.loads(s.data)["updates"]) for s in session.sent]
    assert sizes == [1000, 1000, 500]
    assert all(json.loads(s.data)["project_id"] == 7 and s.method == "PATCH" for s in session.sent)
    assert result.entities == [{"id": 0}, {"id": 1}, {"id": 2}]
    assert [e["origin_id"] for e in result.errors] == ["e0", "e1", "e2"]
    assert client.calls == {"PATCH /rest/v1.0/projects/{id}/direct_costs/sync": 3}


def test_xero_pages_stop_at_a_short_page_or_page_count() -> None:
    full = {
        "pagination": {"page": 1, "pageSize": 2, "pageCount": 3, "itemCount": 5},
        "Contacts": [{"n": 1}, {"n": 2}],
    }
    short = {"pagination": {"page": 2, "pageSize": 2, "pageCount": 3, "itemCount": 5}, "Contacts": [{"n": 3}]}
    client, session = xero([response(200, full), response(200, short)])
    client.page_size = 2
    since = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert list(client.pages("Contacts", {"where": "IsSupplier==true"}, modified_since=since)) == [
        [{"n": 1}, {"n": 2}],
        [{"n": 3}],
    ]
    assert [s.params["page"] for s in session.sent] == [1, 2]
    assert session.sent[0].params == {"where": "IsSupplier==true", "page": 1, "pageSize": 2}
    assert session.sent[0].headers["If-Modified-Since"] == "2026-03-01T12:30:00"

    last = {
        "pagination": {"page": 4, "pageSize": 2, "pageCount": 4, "itemCount": 8},
        "Contacts": [{"n": 7}, {"n": 8}],
    }
    client, session = xero([response(200, last)])
    client.page_size = 2
    assert list(client.pages("Contacts", start_page=4)) == [
        [{"n": 7}, {"n": 8}]
    ]  # resumed, and page == pageCount
    assert len(session.sent) == 1


def test_xero_pages_default_to_1000_per_page() -> None:
    client, session = xero([response(200, {"Invoices": []})])
    assert list(client.pages("Invoices")) == [[]]
    assert session.sent[0].params == {"page": 1, "pageSize": 1000}


def test_xero_save_batches_50_with_per_element_results_and_batch_idempotency_keys() -> None:
    elements = [{"Name": f"Vendor {n}"} for n in range(120)]

    def answer(batch: list[dict]) -> dict:
        out = []
        for element in batch:
            bad = element["Name"].endswith("7")
            out.append(
                {
                    **element,
                    "StatusAttributeString": "ERROR" if bad else "OK",
                    **({"ValidationErrors": [{"Message": "Name must be unique"}]} if bad else {}),
                }
            )
        return {"Contacts": out}

    script = [response(200, answer(elements[i : i + 50])) for i in range(0, 120, 50)]
    client, session = xero(script)
    results = client.save("Contacts", elements, idempotency_key="run-42:contacts")
    assert [len(json.loads(s.data)["Contacts"]) for s in session.sent] == [50, 50, 20]
    assert all(s.params == {"summarizeErrors": "false"} and s.method == "PUT" for s in session.sent)
    keys = [s.headers["Idempotency-Key"] for s in session.sent]
    assert keys == [batch_idempotency_key("run-42:contacts", elements[i : i + 50]) for i in range(0, 120, 50)]
    assert len(set(keys)) == 3 and all(k.startswith("run-42:contacts-") and len(k) <= 128 for k in keys)
    assert [r.index for r in results] == list(range(120))
    failed = [r for r in results if not r.ok]
    assert [r.index for r in failed] == [7, 17, 27, 37, 47, 57, 67, 77, 87, 97, 107, 117]
    assert failed[0].errors == ["Name must be unique"] and failed[0].status == "ERROR"


def test_batch_idempotency_key_is_stable_for_the_same_batch_and_bounded() -> None:
    batch = [{"Name": "A", "Amount": 1}]
    assert batch_idempotency_key("p", batch) == batch_idempotency_key("p", [{"Amount": 1, "Name": "A"}])
    assert batch_idempotency_key("p", batch) != batch_idempotency_key("p", [{"Name": "B"}])
    assert len(batch_idempotency_key("x" * 300, batch)) == 128


def test_client_reprs_show_no_credentials() -> None:
    client, _ = xero([])
    assert repr(client) == "XeroClient(base_url='http://api.test', tenant_id='tenant-1')"
