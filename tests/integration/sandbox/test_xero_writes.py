"""Xero writes over HTTP: batches with and without summarizeErrors, schema validation, rules, idempotency."""

from __future__ import annotations

from tests.integration.sandbox.xero_client import login


def _bill(contact: str, number: str, amount: float = 100.0, **extra):
    return {
        "Type": "ACCPAY",
        "Contact": {"Name": contact},
        "InvoiceNumber": number,
        "Status": "AUTHORISED",
        "Date": "2026-03-01",
        "DueDate": "2026-03-31",
        "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": amount, "AccountCode": "310"}],
        **extra,
    }


def _count(session, path, key):
    return session.call("GET", path, params={"pageSize": 1000}).json()["pagination"]["itemCount"]


def test_batch_without_summarize_errors_writes_nothing(sandbox):
    session = login(sandbox)
    before = _count(session, "/Invoices", "Invoices")
    answer = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                _bill("Acme Office Supply", "A-1"),
                _bill("Acme Office Supply", "A-2", LineItems=[{"AccountCode": "999", "UnitAmount": 5}]),
            ]
        },
    )
    assert answer.status_code == 400
    body = answer.json()
    assert (body["ErrorNumber"], body["Type"], body["Message"]) == (
        10,
        "ValidationException",
        "A validation exception occurred",
    )
    assert [e["InvoiceNumber"] for e in body["Elements"]] == ["A-2"]
    assert body["Elements"][0]["ValidationErrors"] == [
        {"Message": "Account code '999' is not a valid code for this document."}
    ]
    assert _count(session, "/Invoices", "Invoices") == before


def test_batch_with_summarize_errors_false_writes_the_good_ones(sandbox):
    session = login(sandbox)
    before = _count(session, "/Invoices", "Invoices")
    answer = session.call(
        "PUT",
        "/Invoices",
        params={"summarizeErrors": "false"},
        json={
            "Invoices": [
                _bill("Acme Office Supply", "B-1", 123.45),
                _bill("Nobody Known", "B-2", Status="BOGUS"),
            ]
        },
    )
    assert answer.status_code == 200
    good, bad = answer.json()["Invoices"]
    assert good["StatusAttributeString"] == "OK" and good["Total"] == 123.45 and good["AmountDue"] == 123.45
    assert bad["StatusAttributeString"] == "ERROR"
    assert "Status: 'BOGUS' is not a valid value" in bad["ValidationErrors"][0]["Message"]
    assert _count(session, "/Invoices", "Invoices") == before + 1


def test_schema_wrong_type_is_rejected(sandbox):
    session = login(sandbox)
    answer = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                _bill(
                    "Acme Office Supply",
                    "C-1",
                    LineItems=[{"Quantity": "three", "UnitAmount": 1, "AccountCode": "310"}],
                )
            ]
        },
    )
    assert answer.status_code == 400
    assert answer.json()["Elements"][0]["ValidationErrors"] == [
        {"Message": "LineItems[0].Quantity: 'three' is not of type number"}
    ]
    contact = session.call(
        "PUT", "/Contacts", json={"Contacts": [{"Name": "Enum Co", "ContactStatus": "GONE"}]}
    )
    assert contact.status_code == 400
    assert (
        "ContactStatus: 'GONE' is not a valid value"
        in contact.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def test_totals_exact_for_each_line_amount_type(sandbox):
    session = login(sandbox)
    lines = [
        {"Description": "x", "Quantity": 3, "UnitAmount": 33.33, "AccountCode": "200", "TaxType": "TAX001"}
    ]
    sale = {
        "Type": "ACCREC",
        "Contact": {"Name": "Acme Office Supply"},
        "Date": "2026-03-01",
        "LineItems": lines,
    }
    out = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                {**sale, "LineAmountTypes": "Exclusive"},
                {**sale, "LineAmountTypes": "Inclusive"},
                {**sale, "LineAmountTypes": "NoTax"},
            ]
        },
    ).json()["Invoices"]
    assert [(i["SubTotal"], i["TotalTax"], i["Total"]) for i in out] == [
        (99.99, 8.25, 108.24),
        (92.37, 7.62, 99.99),
        (99.99, 0.0, 99.99),
    ]
    assert out[0]["InvoiceNumber"].startswith("INV-")


def test_post_updates_and_bumps_updated_date(sandbox):
    session = login(sandbox)
    created = session.call(
        "PUT", "/Contacts", json={"Contacts": [{"Name": "Update Me", "ContactNumber": "PC-1"}]}
    )
    contact = created.json()["Contacts"][0]
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 60})
    updated = session.call(
        "POST",
        "/Contacts",
        json={"Contacts": [{"ContactID": contact["ContactID"], "EmailAddress": "ap@update.me"}]},
    ).json()["Contacts"][0]
    assert updated["EmailAddress"] == "ap@update.me" and updated["ContactNumber"] == "PC-1"
    ms = lambda d: int(d[6:19])  # noqa: E731
    assert ms(updated["UpdatedDateUTC"]) - ms(contact["UpdatedDateUTC"]) >= 60_000
    by_number = session.call("GET", "/Contacts/PC-1").json()["Contacts"][0]
    assert by_number["ContactID"] == contact["ContactID"]


def test_contact_rules(sandbox):
    session = login(sandbox)
    dup = session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "acme office supply"}]})
    assert dup.status_code == 400
    assert dup.json()["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "The contact name acme office supply is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )
    long_number = session.call(
        "PUT", "/Contacts", json={"Contacts": [{"Name": "Long No", "ContactNumber": "9" * 51}]}
    )
    assert long_number.status_code == 400
    assert (
        "ContactNumber must be no more than 50"
        in long_number.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def test_item_rules(sandbox):
    session = login(sandbox)
    answer = session.call(
        "PUT",
        "/Items",
        params={"summarizeErrors": "false"},
        json={
            "Items": [
                {"Code": "X" * 31, "Name": "Too long code"},
                {"Code": "CONC-3000", "Name": "Dup"},
                {"Code": "NEW-1", "Name": "N" * 51},
                {"Code": "NEW-2", "Name": "Fine", "PurchaseDetails": {"UnitPrice": 5, "AccountCode": "311"}},
            ]
        },
    )
    results = answer.json()["Items"]
    assert [r["StatusAttributeString"] for r in results] == ["ERROR", "ERROR", "ERROR", "OK"]
    assert "Code must be no more than 30" in results[0]["ValidationErrors"][0]["Message"]
    assert results[1]["ValidationErrors"][0]["Message"] == "Item code 'CONC-3000' already exists"
    assert "Name must be no more than 50" in results[2]["ValidationErrors"][0]["Message"]
    assert results[3]["IsPurchased"] is True


def test_tracking_category_rules(sandbox):
    session = login(sandbox)
    project = session.call("PUT", "/TrackingCategories", json={"Name": "Project"})
    assert project.status_code == 200
    category = project.json()["TrackingCategories"][0]
    third = session.call("PUT", "/TrackingCategories", json={"Name": "Phase"})
    assert third.status_code == 400
    assert (
        "only have 2 active tracking categories"
        in third.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )
    too_long = session.call("PUT", "/TrackingCategories", json={"Name": "P" * 101})
    assert too_long.status_code == 400
    option = session.call(
        "PUT",
        f"/TrackingCategories/{category['TrackingCategoryID']}/Options",
        json={"Name": "P-100 Main Street"},
    )
    assert option.status_code == 200 and option.json()["Options"][0]["Name"] == "P-100 Main Street"
    long_option = session.call(
        "PUT", f"/TrackingCategories/{category['TrackingCategoryID']}/Options", json={"Name": "O" * 51}
    )
    assert long_option.status_code == 400
    bill = session.call(
        "PUT",
        "/Invoices",
        json={
            "Invoices": [
                _bill(
                    "Acme Office Supply",
                    "T-1",
                    LineItems=[
                        {
                            "UnitAmount": 10,
                            "AccountCode": "310",
                            "Tracking": [{"Name": "Project", "Option": "Nope"}],
                        }
                    ],
                )
            ]
        },
    )
    assert bill.status_code == 400
    assert (
        "tracking option 'Nope' does not exist"
        in bill.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )


def test_document_rules(sandbox):
    session = login(sandbox)
    sale = {**_bill("Acme Office Supply", "DUP-1"), "Type": "ACCREC"}
    first = session.call("PUT", "/Invoices", json={"Invoices": [sale]})
    assert first.status_code == 200
    again = session.call("PUT", "/Invoices", json={"Invoices": [sale]})
    assert again.json()["Elements"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."
    checks = session.call(
        "PUT",
        "/Invoices",
        params={"summarizeErrors": "false"},
        json={
            "Invoices": [
                _bill("Acme Office Supply", "R-1", LineItems=[{"ItemCode": "NOPE", "AccountCode": "310"}]),
                {
                    **_bill("Acme Office Supply", "R-2"),
                    "Contact": {"ContactID": "00000000-0000-4000-8000-000000000001"},
                },
                _bill("Acme Office Supply", "R-3", CurrencyCode="EUR"),
            ]
        },
    ).json()["Invoices"]
    messages = [c["ValidationErrors"][0]["Message"] for c in checks]
    assert [(c["StatusAttributeString"], c["HasErrors"]) for c in checks] == [("ERROR", True)] * 3
    assert messages[0] == "Item code 'NOPE' is not valid"
    assert "does not exist" in messages[1]
    assert messages[2] == "Organisation is not subscribed to currency EUR"
    po = {
        "Contact": {"Name": "Acme Office Supply"},
        "PurchaseOrderNumber": "PO-0001",
        "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "311"}],
    }
    dup_po = session.call("PUT", "/PurchaseOrders", json={"PurchaseOrders": [po]})
    assert dup_po.json()["Elements"][0]["ValidationErrors"][0]["Message"] == "Order number must be unique"


def test_cad_invoice_on_tenant_without_cad(sandbox):
    session = login(sandbox, tenant_index=1)
    answer = session.call(
        "PUT", "/Invoices", json={"Invoices": [_bill("Carpet World", "X", CurrencyCode="CAD")]}
    )
    assert answer.json()["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "Organisation is not subscribed to currency CAD"
    )
    main = login(sandbox)
    cad = main.call(
        "PUT", "/Invoices", json={"Invoices": [_bill("Acme Office Supply", "CAD-1", CurrencyCode="CAD")]}
    )
    assert cad.status_code == 200 and cad.json()["Invoices"][0]["CurrencyRate"] == 1.35


def test_status_transitions(sandbox):
    session = login(sandbox)
    bill = session.call("PUT", "/Invoices", json={"Invoices": [_bill("Acme Office Supply", "S-1")]}).json()
    invoice_id = bill["Invoices"][0]["InvoiceID"]
    delete = session.call("POST", f"/Invoices/{invoice_id}", json={"Status": "DELETED"})
    assert (
        delete.status_code == 400
        and "not of valid status" in delete.json()["Elements"][0]["ValidationErrors"][0]["Message"]
    )
    void = session.call("POST", f"/Invoices/{invoice_id}", json={"Status": "VOIDED"})
    assert void.status_code == 200 and void.json()["Invoices"][0]["Status"] == "VOIDED"
    edit = session.call("POST", f"/Invoices/{invoice_id}", json={"Reference": "late edit"})
    assert edit.status_code == 400


def test_idempotency_key_replays_and_conflicts(sandbox):
    session = login(sandbox)
    before = _count(session, "/Contacts", "Contacts")
    body = {"Contacts": [{"Name": "Idempotent Co"}]}
    first = session.call("PUT", "/Contacts", json=body, headers={"Idempotency-Key": "key-1"})
    replay = session.call("PUT", "/Contacts", json=body, headers={"Idempotency-Key": "key-1"})
    assert first.status_code == replay.status_code == 200
    assert replay.json()["Contacts"][0]["ContactID"] == first.json()["Contacts"][0]["ContactID"]
    assert _count(session, "/Contacts", "Contacts") == before + 1
    conflict = session.call(
        "PUT", "/Contacts", json={"Contacts": [{"Name": "Other"}]}, headers={"Idempotency-Key": "key-1"}
    )
    assert conflict.status_code == 400 and "different request" in conflict.json()["Detail"]
    too_long = session.call("PUT", "/Contacts", json=body, headers={"Idempotency-Key": "k" * 129})
    assert too_long.status_code == 400
    sandbox.admin("xero", "POST", "clock", {"advance_seconds": 601})
    expired = session.call("PUT", "/Contacts", json=body, headers={"Idempotency-Key": "key-1"})
    assert expired.status_code == 400  # window over: processed again, and the name is now taken
