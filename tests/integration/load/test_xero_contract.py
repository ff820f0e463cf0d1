"""Contract test of the requests the sync sends to Xero: every one, recorded on the wire during a full and an
incremental extract and two loads (creates, then updates), is a published operation with published
parameters, and every element it sends validates against Xero's official schema with no field the model
lacks (Xero would ignore it, so the sync must not rely on it — a bill's ``Reference`` among them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import Engine

from procore_xero.clients import XeroClient
from procore_xero.clients.xero import ACCOUNTING_PATH
from procore_xero.extract.specs import XERO_SPECS
from procore_xero.extract.xero import extract_xero
from procore_xero.outgoing import Outgoing
from procore_xero.staging import TenantKey
from procore_xero.to_xero.loader import load_to_xero
from sandbox.xero.contract import PublishedContract
from sandbox.xero.schema import BodySchemas
from tests.integration.extract.conftest import task_try
from tests.integration.load.conftest import bill, contact, item, line, purchase_order, tracking_option

# The model of each list the sync sends (the body's key -> the spec's schema).
ELEMENT_SCHEMA = {
    "Contacts": "Contact",
    "Items": "Item",
    "Options": "TrackingOption",
    "TrackingCategories": "TrackingCategory",
    "PurchaseOrders": "PurchaseOrder",
    "Invoices": "Invoice",
}
SENT_HEADERS = ("If-Modified-Since", "Idempotency-Key")


@dataclass
class Wire:
    """Every request the client sent: method, path under the Accounting API, query names, headers, body."""

    sent: list[tuple[str, str, set[str], set[str], Any]] = field(default_factory=list)

    def record(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        url = urlsplit(request.url or "")
        headers = {h for h in SENT_HEADERS if h in request.headers}
        body = json.loads(request.body) if request.body else None
        path = url.path.removeprefix(ACCOUNTING_PATH)
        self.sent.append((request.method or "", path, set(parse_qs(url.query)), headers, body))


@pytest.fixture(scope="module")
def contract() -> PublishedContract:
    return PublishedContract.load()


def _records(supplier: str, amount: str) -> list[Outgoing]:
    return [
        contact(801, "Contract Test Concrete"),
        item("03-300-CT", "Concrete, contract test"),
        tracking_option(81, "Contract Test Tower"),
        purchase_order(8100, "CT-PO-1", supplier, [line("Scope", amount)]),
        bill(8200, "CT-B-1", supplier, [line("Work", amount)]),
    ]


def test_every_request_the_sync_sends_is_published(
    make_xero: Callable[..., XeroClient], staging: Engine, tenant: TenantKey, contract: PublishedContract
) -> None:
    wire = Wire()
    session = requests.Session()
    session.hooks["response"].append(wire.record)
    client = make_xero(session=session)
    for _ in ("full", "incremental"):  # the second sends If-Modified-Since where the sync reads increments
        for name in XERO_SPECS:
            extract_xero(client, staging, name, task_try=task_try(name))
    client.get("Organisation")
    first = next(client.pages("Contacts"))[0]
    supplier = first["ContactID"]
    assert not first.get("ContactNumber")
    linked = contact(802, f"{first['Name'].upper()}, Inc.")  # the same company: linked, numbered
    load_to_xero(client, staging, tenant, [*_records(supplier, "1000.00"), linked], run_id="create")
    load_to_xero(client, staging, tenant, _records(supplier, "1250.00"), run_id="update")

    problems, operations = [], set()
    schemas = BodySchemas(None)
    for method, path, query, headers, body in wire.sent:
        operation = contract.operation(method, path)
        if operation is None:
            problems.append(f"{method} {path}: not a published operation")
            continue
        operations.add(f"{method} {operation.path}")
        unpublished = sorted((query | headers) - operation.parameters)
        if unpublished:
            problems.append(f"{method} {operation.path}: unpublished parameters {unpublished}")
        for key, elements in (body or {}).items():
            for index, element in enumerate(elements):
                where = f"{method} {operation.path} {key}[{index}]"
                problems += [f"{where}: {e}" for e in schemas.errors(ELEMENT_SCHEMA[key], element)]
                unknown = contract.unknown_fields(ELEMENT_SCHEMA[key], element)
                problems += [f"{where}: {name} is not in Xero's {ELEMENT_SCHEMA[key]}" for name in unknown]
                if element.get("Type") == "ACCPAY" and "Reference" in element:
                    problems.append(f"{where}: a bill's Reference, which Xero drops")
    assert problems == []
    assert operations == {
        "GET /Contacts",
        "GET /Items",
        "GET /Accounts",
        "GET /Currencies",
        "GET /TrackingCategories",
        "GET /PurchaseOrders",
        "GET /Invoices",
        "GET /Payments",
        "GET /BankTransactions",
        "GET /Organisation",
        "PUT /Contacts",
        "PUT /Items",
        "PUT /TrackingCategories",
        "PUT /TrackingCategories/{TrackingCategoryID}/Options",
        "PUT /PurchaseOrders",
        "PUT /Invoices",
        "POST /Contacts",
        "POST /PurchaseOrders",
        "POST /Invoices",
    }
    numbered = [b for m, p, _, _, b in wire.sent if m == "POST" and p == "/Contacts"]
    assert numbered == [{"Contacts": [{"ContactID": supplier, "ContactNumber": "procore-vendor-802"}]}]
    updated = [b for m, p, _, _, b in wire.sent if m == "POST" and p == "/Invoices"]
    assert [Decimal(str(x["UnitAmount"])) for x in updated[0]["Invoices"][0]["LineItems"]] == [
        Decimal("1250.00")
    ]
