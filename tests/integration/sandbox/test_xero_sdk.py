"""An independent client: Xero's official Python SDK (``xero-python``, pinned) against the Xero emulator, over
every endpoint and parameter the sync uses. The SDK deserialises every answer into its models (generated
from Xero's spec), so a field of the wrong type, a null Xero never sends or a missing wrapper fails here;
the values it reads are compared with what the emulator holds.

The sync's Xero calls (``extract/specs.py`` XERO_SPECS, ``load/`` and ``airflow/sync_tasks.py``):
token refresh; GET connections; GET Contacts (page, pageSize, includeArchived, If-Modified-Since, IDs),
Items (unitdp), Accounts, Currencies, TrackingCategories (includeArchived), PurchaseOrders (page, pageSize),
Invoices (page, pageSize, unitdp, IDs, InvoiceNumbers), Payments, BankTransactions (unitdp), Organisation;
PUT/POST Contacts, Items, PurchaseOrders, Invoices (summarizeErrors=false, Idempotency-Key), PUT
TrackingCategories and TrackingCategories/{id}/Options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from xero_python.accounting import (
    AccountingApi,
    Contact,
    Contacts,
    Invoice,
    Invoices,
    Item,
    Items,
    LineItem,
    LineItemTracking,
    Purchase,
    PurchaseOrder,
    PurchaseOrders,
    TrackingCategory,
    TrackingOption,
)
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from sandbox.process import SandboxProcess


@dataclass
class Sdk:
    accounting: AccountingApi
    identity: IdentityApi
    tenant_id: str
    sandbox: SandboxProcess

    def held(self, collection: str) -> list[dict[str, Any]]:
        """What the emulator holds (its own view, not the SDK's)."""
        records = self.sandbox.admin("xero", "GET", "state")["tenants"][self.tenant_id][collection]
        return list(records.values()) if isinstance(records, dict) else list(records)


@pytest.fixture
def sdk(sandbox: SandboxProcess) -> Sdk:
    creds = sandbox.admin("xero", "GET", "credentials")
    app = next(a for a in creds["apps"] if a["kind"] == "oauth_app")
    client = ApiClient(
        Configuration(
            oauth2_token=OAuth2Token(client_id=app["client_id"], client_secret=app["client_secret"])
        ),
        pool_threads=1,
    )
    store: dict[str, Any] = {}
    client.oauth2_token_getter(lambda: store.get("token"))
    client.oauth2_token_saver(lambda token: store.update(token=token))
    tokens = TokenApi(client, app["client_id"], app["client_secret"])
    tokens.refresh_token_url = f"{sandbox.xero_url}/connect/token"  # the SDK's own refresh call
    token = tokens.refresh_token(app["refresh_token"], ["accounting.transactions", "offline_access"])
    assert token["token_type"] == "Bearer" and token["expires_in"] == 1800
    client.set_oauth2_token(token)
    return Sdk(
        AccountingApi(client, base_url=f"{sandbox.xero_url}/api.xro/2.0"),
        IdentityApi(client, base_url=sandbox.xero_url),
        creds["tenants"][0]["tenant_id"],
        sandbox,
    )


def _ids(records: list[Any], field: str) -> set[str]:
    return {str(getattr(r, field)).lower() for r in records}


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_connections_and_reads_of_every_collection_the_sync_reads(sdk: Sdk) -> None:
    tenant = sdk.tenant_id
    connections = sdk.identity.get_connections()
    assert tenant in {str(c.tenant_id) for c in connections}
    assert all(c.tenant_type == "ORGANISATION" for c in connections)

    contacts = sdk.accounting.get_contacts(tenant, page=1, page_size=1000, include_archived=True).contacts
    held_contacts = sdk.held("Contacts")
    assert _ids(contacts, "contact_id") == {c["ContactID"] for c in held_contacts}
    assert all(c.contact_groups == [] for c in contacts)
    assert sum(c.contact_status == "ARCHIVED" for c in contacts) == sum(
        c["ContactStatus"] == "ARCHIVED" for c in held_contacts
    )
    one = sdk.accounting.get_contacts(tenant, i_ds=[contacts[0].contact_id], page=1).contacts
    assert [c.name for c in one] == [contacts[0].name]

    items = sdk.accounting.get_items(tenant, unitdp=4).items
    assert {i.code for i in items} == {i["Code"] for i in sdk.held("Items")}
    accounts = sdk.accounting.get_accounts(tenant).accounts
    assert {a.code: str(a.account_id) for a in accounts} == {
        a["Code"]: a["AccountID"] for a in sdk.held("Accounts")
    }
    assert {str(a.currency_code) for a in accounts if a.type == "BANK"} <= {"CurrencyCode.USD", "USD"}
    assert [
        str(c.code).removeprefix("CurrencyCode.") for c in sdk.accounting.get_currencies(tenant).currencies
    ] == [
        "USD",
        "CAD",
    ]
    categories = sdk.accounting.get_tracking_categories(tenant, include_archived=True).tracking_categories
    assert _ids(categories, "tracking_category_id") == {
        c["TrackingCategoryID"] for c in sdk.held("TrackingCategories")
    }
    organisation = sdk.accounting.get_organisations(tenant).organisations[0]
    assert str(organisation.organisation_id) == tenant and "USD" in str(organisation.base_currency)


def test_documents_read_with_the_sync_parameters_hold_the_emulator_amounts(sdk: Sdk) -> None:
    tenant = sdk.tenant_id
    invoices = sdk.accounting.get_invoices(tenant, page=1, page_size=1000, unitdp=4).invoices
    held = {i["InvoiceID"]: i for i in sdk.held("Invoices")}
    assert _ids(invoices, "invoice_id") == set(held)
    for invoice in invoices:
        stored = held[str(invoice.invoice_id)]
        assert (_money(invoice.total), _money(invoice.amount_due)) == (
            _money(stored["Total"]),
            _money(stored["AmountDue"]),
        )
        assert len(invoice.line_items) == len(stored["LineItems"])
        assert [Decimal(str(x.unit_amount)) for x in invoice.line_items] == [
            Decimal(str(x["UnitAmount"])) for x in stored["LineItems"]
        ]
    numbers = [invoices[0].invoice_number, invoices[1].invoice_number]
    by_number = sdk.accounting.get_invoices(tenant, invoice_numbers=numbers, page=1, page_size=1000).invoices
    assert {i.invoice_number for i in by_number} == set(numbers)
    by_id = sdk.accounting.get_invoices(tenant, i_ds=[invoices[2].invoice_id], page=1).invoices
    assert [i.invoice_id for i in by_id] == [invoices[2].invoice_id]
    later = datetime.now(UTC) + timedelta(days=3650)
    assert sdk.accounting.get_invoices(tenant, if_modified_since=later, page=1).invoices == []

    orders = sdk.accounting.get_purchase_orders(tenant, page=1, page_size=1000).purchase_orders
    assert {str(o.purchase_order_id): _money(o.total) for o in orders} == {
        o["PurchaseOrderID"]: _money(o["Total"]) for o in sdk.held("PurchaseOrders")
    }
    payments = sdk.accounting.get_payments(tenant, page=1, page_size=1000).payments
    assert {str(p.payment_id): _money(p.amount) for p in payments} == {
        p["PaymentID"]: _money(p["Amount"]) for p in sdk.held("Payments")
    }
    spent = sdk.accounting.get_bank_transactions(tenant, page=1, page_size=1000, unitdp=4).bank_transactions
    assert {str(b.bank_transaction_id): _money(b.total) for b in spent} == {
        b["BankTransactionID"]: _money(b["Total"]) for b in sdk.held("BankTransactions")
    }


def test_the_sync_writes_through_the_sdk(sdk: Sdk) -> None:
    tenant, api = sdk.tenant_id, sdk.accounting
    made = api.create_contacts(
        tenant,
        Contacts(contacts=[Contact(name="SDK Steel Co", contact_number="procore-vendor-9901")]),
        summarize_errors=False,
        idempotency_key="sdk-contacts-1",
    ).contacts[0]
    assert made.status_attribute_string == "OK" and made.contact_groups == []
    renamed = api.update_or_create_contacts(
        tenant,
        Contacts(contacts=[Contact(contact_id=made.contact_id, name="SDK Steel Company")]),
        summarize_errors=False,
    ).contacts[0]
    assert (renamed.contact_id, renamed.name) == (made.contact_id, "SDK Steel Company")

    item = api.create_items(
        tenant,
        Items(items=[Item(code="SDK-01", name="SDK item", purchase_details=Purchase(account_code="310"))]),
        summarize_errors=False,
    ).items[0]
    assert item.code == "SDK-01" and item.is_purchased is True
    updated_item = api.update_or_create_items(
        tenant, Items(items=[Item(code="SDK-01", name="SDK item, renamed")]), summarize_errors=False
    ).items[0]
    assert updated_item.item_id == item.item_id

    category = api.create_tracking_category(
        tenant, TrackingCategory(name="SDK Projects")
    ).tracking_categories[0]
    option = api.create_tracking_options(
        tenant, category.tracking_category_id, TrackingOption(name="25-101 Hotel")
    ).options[0]
    assert option.name == "25-101 Hotel" and option.tracking_option_id
    tracking = [LineItemTracking(name="SDK Projects", option="25-101 Hotel")]

    line = LineItem(
        description="Rebar (1250 × 87.333 in Procore)",
        quantity=1.0,
        unit_amount=109166.25,
        account_code="310",
        tracking=tracking,
    )
    order = api.create_purchase_orders(
        tenant,
        PurchaseOrders(
            purchase_orders=[
                PurchaseOrder(
                    purchase_order_number="SDK-PO-1",
                    contact=Contact(contact_id=made.contact_id),
                    date=date(2026, 3, 2),
                    line_items=[line],
                    status="AUTHORISED",
                )
            ]
        ),
        summarize_errors=False,
        idempotency_key="sdk-po-1",
    ).purchase_orders[0]
    assert (order.purchase_order_number, _money(order.total)) == ("SDK-PO-1", Decimal("109166.25"))
    changed = api.update_or_create_purchase_orders(
        tenant,
        PurchaseOrders(
            purchase_orders=[
                PurchaseOrder(purchase_order_id=order.purchase_order_id, reference="Acme - SC-001")
            ]
        ),
        summarize_errors=False,
    ).purchase_orders[0]
    assert changed.reference == "Acme - SC-001"

    bill = Invoice(
        type="ACCPAY",
        invoice_number="SDK-B-1",
        contact=Contact(contact_id=made.contact_id),
        date=date(2026, 3, 31),
        due_date=date(2026, 4, 30),
        status="AUTHORISED",
        line_items=[LineItem(description="Work", quantity=1250.0, unit_amount=87.333, account_code="310")],
    )
    bad = Invoice(
        type="ACCPAY",
        invoice_number="SDK-B-2",
        contact=Contact(name="SDK Steel Company"),
        line_items=[LineItem(description="Nope", quantity=1.0, unit_amount=1.0, item_code="NO-SUCH-ITEM")],
    )
    answers = api.create_invoices(
        tenant, Invoices(invoices=[bill, bill, bad]), summarize_errors=False, unitdp=4
    ).invoices
    assert [a.status_attribute_string for a in answers] == ["OK", "OK", "ERROR"]
    assert answers[0].invoice_id != answers[1].invoice_id  # a bill number may repeat in Xero
    assert [_money(a.total) for a in answers[:2]] == [Decimal("109166.25")] * 2
    assert answers[2].has_errors is True
    assert [e.message for e in answers[2].validation_errors] == ["Item code 'NO-SUCH-ITEM' is not valid"]
    held = {i["InvoiceID"]: i for i in sdk.held("Invoices")}
    assert _money(held[str(answers[0].invoice_id)]["Total"]) == Decimal("109166.25")
    voided = api.update_or_create_invoices(
        tenant,
        Invoices(invoices=[Invoice(invoice_id=answers[1].invoice_id, status="VOIDED")]),
        summarize_errors=False,
    ).invoices[0]
    assert voided.status == "VOIDED"
