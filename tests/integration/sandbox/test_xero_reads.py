"""Xero reads over HTTP: paging, If-Modified-Since, where, IDs/Statuses filters, order, get by id, dates."""

from __future__ import annotations

import re

from tests.integration.sandbox.xero_client import login


def test_paging_defaults_cap_and_pagination_object(sandbox):
    session = login(sandbox)
    first = session.call("GET", "/Invoices").json()
    total = first["pagination"]["itemCount"]
    assert total == 150
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 150}
    assert len(first["Invoices"]) == 100
    second = session.call("GET", "/Invoices", params={"page": 2}).json()
    assert len(second["Invoices"]) == 50
    assert not {i["InvoiceID"] for i in first["Invoices"]} & {i["InvoiceID"] for i in second["Invoices"]}
    capped = session.call("GET", "/BankTransactions", params={"pageSize": 5000}).json()
    assert capped["pagination"]["pageSize"] == 1000 and len(capped["BankTransactions"]) == 200


def test_unpaged_collections_have_no_pagination(sandbox):
    session = login(sandbox)
    items = session.call("GET", "/Items").json()
    assert "pagination" not in items and len(items["Items"]) == 4
    accounts = session.call("GET", "/Accounts").json()["Accounts"]
    assert {a["Code"] for a in accounts} >= {"090", "200", "310", "820"}
    currencies = session.call("GET", "/Currencies").json()["Currencies"]
    assert [c["Code"] for c in currencies] == ["USD", "CAD"]
    org = session.call("GET", "/Organisation").json()["Organisations"][0]
    assert org["BaseCurrency"] == "USD" and org["OrganisationID"] == session.tenant_id


def test_where_filters(sandbox):
    session = login(sandbox)
    bills = session.call(
        "GET", "/Invoices", params={"where": 'Type=="ACCPAY" AND Status=="AUTHORISED"', "pageSize": 1000}
    ).json()["Invoices"]
    assert bills and all(i["Type"] == "ACCPAY" and i["Status"] == "AUTHORISED" for i in bills)
    contact_id = bills[0]["Contact"]["ContactID"]
    by_contact = session.call(
        "GET",
        "/Invoices",
        params={"where": f'Contact.ContactID==guid("{contact_id}") && Type=="ACCPAY"', "pageSize": 1000},
    ).json()["Invoices"]
    assert by_contact and {i["Contact"]["ContactID"] for i in by_contact} == {contact_id}
    named = session.call("GET", "/Contacts", params={"where": 'Name=="Acme Office Supply"'}).json()[
        "Contacts"
    ]
    assert [c["Name"] for c in named] == ["Acme Office Supply"]
    number = bills[0]["InvoiceNumber"]
    assert [
        i["InvoiceNumber"]
        for i in session.call("GET", "/Invoices", params={"where": f'InvoiceNumber=="{number}"'}).json()[
            "Invoices"
        ]
    ] == [number]
    bad = session.call("GET", "/Invoices", params={"where": "Type = ACCPAY"})
    assert bad.status_code == 400 and bad.json()["Type"] == "QueryParseException"


def test_ids_statuses_contactids_invoice_numbers(sandbox):
    session = login(sandbox)
    rows = session.call("GET", "/Invoices", params={"pageSize": 1000}).json()["Invoices"]
    ids = [rows[0]["InvoiceID"], rows[5]["InvoiceID"]]
    by_ids = session.call("GET", "/Invoices", params={"IDs": ",".join(ids)}).json()["Invoices"]
    assert sorted(i["InvoiceID"] for i in by_ids) == sorted(ids)
    paid = session.call("GET", "/Invoices", params={"Statuses": "PAID", "pageSize": 1000}).json()["Invoices"]
    assert len(paid) == sum(1 for r in rows if r["Status"] == "PAID") > 0
    numbers = session.call("GET", "/Invoices", params={"InvoiceNumbers": rows[3]["InvoiceNumber"]}).json()[
        "Invoices"
    ]
    assert [i["InvoiceID"] for i in numbers] == [rows[3]["InvoiceID"]]
    contact = rows[0]["Contact"]["ContactID"]
    by_contact = session.call("GET", "/Invoices", params={"ContactIDs": contact, "pageSize": 1000}).json()[
        "Invoices"
    ]
    assert len(by_contact) == sum(1 for r in rows if r["Contact"]["ContactID"] == contact)


def test_order_and_archived_contacts(sandbox):
    session = login(sandbox)
    names = [
        c["Name"] for c in session.call("GET", "/Contacts", params={"order": "Name DESC"}).json()["Contacts"]
    ]
    assert names == sorted(names, key=str.lower, reverse=True)
    visible = session.call("GET", "/Contacts").json()["pagination"]["itemCount"]
    everyone = session.call("GET", "/Contacts", params={"includeArchived": "true"}).json()["pagination"][
        "itemCount"
    ]
    assert everyone == visible + 1


def test_if_modified_since_returns_only_newer(sandbox):
    session = login(sandbox)
    now = sandbox.admin("xero", "GET", "clock")["now"]
    assert session.call("GET", "/Contacts", headers={"If-Modified-Since": now}).json()["Contacts"] == []
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 5})
    created = session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "Fresh Vendor Co"}]}).json()[
        "Contacts"
    ][0]
    changed = session.call("GET", "/Contacts", headers={"If-Modified-Since": now}).json()["Contacts"]
    assert [c["ContactID"] for c in changed] == [created["ContactID"]]


def test_if_modified_since_lists_tracking_categories_without_a_timestamp(sandbox):
    """Xero's TrackingCategory has no UpdatedDateUTC: one created through the API is always listed."""
    session = login(sandbox)
    now = sandbox.admin("xero", "GET", "clock")["now"]
    created = session.call("PUT", "/TrackingCategories", json={"Name": "Project"})
    assert created.status_code == 200, created.text
    answer = session.call("GET", "/TrackingCategories", headers={"If-Modified-Since": now})
    assert answer.status_code == 200, answer.text
    assert [c["Name"] for c in answer.json()["TrackingCategories"]] == ["Project"]


def test_get_by_id_and_date_format(sandbox):
    session = login(sandbox)
    row = session.call("GET", "/Invoices", params={"pageSize": 1}).json()["Invoices"][0]
    one = session.call("GET", f"/Invoices/{row['InvoiceID']}").json()["Invoices"]
    assert [i["InvoiceID"] for i in one] == [row["InvoiceID"]]
    assert re.fullmatch(r"/Date\(\d{13}\+0000\)/", one[0]["Date"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", one[0]["DateString"])
    assert re.fullmatch(r"/Date\(\d{13}\+0000\)/", one[0]["UpdatedDateUTC"])
    missing = session.call("GET", "/Invoices/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


def test_second_tenant_is_separate(sandbox):
    session = login(sandbox, tenant_index=1)
    contacts = session.call("GET", "/Contacts").json()["Contacts"]
    assert sorted(c["Name"] for c in contacts) == [
        "Carpet World",
        "Glass & Glazing Ltd",
        "Interior Finishes Co",
    ]
    assert session.call("GET", "/Invoices").json()["pagination"]["itemCount"] == 0
