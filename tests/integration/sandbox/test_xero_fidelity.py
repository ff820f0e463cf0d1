"""The Xero emulator behaves as Xero publishes (issue 13): non-unique bill numbers, Reference on ACCREC only,
unit amounts to 2 decimals unless unitdp=4, no nulls, ContactGroups, /Connections in any case, where methods
and parentheses, searchTerm/summaryOnly/DateFrom/DateTo, unpaged invoices without lines, HasErrors, and the
Profit and Loss split by tracking option."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration.sandbox.xero_client import XeroSession, login


def _document(kind: str, number: str, contact: str = "Acme Office Supply", **extra: Any) -> dict[str, Any]:
    return {
        "Type": kind,
        "Contact": {"Name": contact},
        "InvoiceNumber": number,
        "Status": "AUTHORISED",
        "Date": "2026-06-15",
        "DueDate": "2026-06-30",
        "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "310"}],
        **extra,
    }


def _put(session: XeroSession, invoice: dict[str, Any], **params: str) -> dict[str, Any]:
    answer = session.call("PUT", "/Invoices", params=params, json={"Invoices": [invoice]})
    assert answer.status_code == 200, answer.text
    return answer.json()["Invoices"][0]


def _all(session: XeroSession, path: str, key: str, **params: str) -> list[dict[str, Any]]:
    answer = session.call("GET", path, params={"page": "1", "pageSize": "1000", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()[key]


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


def test_bill_numbers_repeat_sales_invoice_numbers_do_not(sandbox):
    session = login(sandbox)
    first = _put(session, _document("ACCPAY", "SUP-77"))
    second = _put(session, _document("ACCPAY", "SUP-77"))
    assert first["InvoiceID"] != second["InvoiceID"]
    same = _all(session, "/Invoices", "Invoices", InvoiceNumbers="SUP-77")
    assert sorted(i["InvoiceID"] for i in same) == sorted([first["InvoiceID"], second["InvoiceID"]])
    _put(session, _document("ACCREC", "SALE-77"))
    again = session.call("PUT", "/Invoices", json={"Invoices": [_document("ACCREC", "SALE-77")]})
    assert again.status_code == 400
    assert again.json()["Elements"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."


def test_reference_is_kept_on_sales_invoices_only(sandbox):
    session = login(sandbox)
    bill = _put(session, _document("ACCPAY", "REF-B", Reference="PO-9 / 3"))
    sale = _put(session, _document("ACCREC", "REF-S", Reference="Application 3"))
    assert "Reference" not in bill and sale["Reference"] == "Application 3"
    stored = session.call("GET", f"/Invoices/{bill['InvoiceID']}").json()["Invoices"][0]
    assert "Reference" not in stored


def test_unit_amount_is_rounded_to_two_decimals_unless_unitdp_4(sandbox):
    session = login(sandbox)
    line = {"Description": "Rebar", "Quantity": 1250, "UnitAmount": 87.333, "AccountCode": "310"}
    two = _put(session, _document("ACCPAY", "DP-2", LineItems=[line]))
    assert (two["LineItems"][0]["UnitAmount"], two["LineItems"][0]["LineAmount"], two["Total"]) == (
        87.33,
        109162.5,
        109162.5,
    )
    four = _put(session, _document("ACCPAY", "DP-4", LineItems=[line]), unitdp="4")
    assert (four["LineItems"][0]["UnitAmount"], four["Total"]) == (87.333, 109166.25)
    path = f"/Invoices/{four['InvoiceID']}"
    assert session.call("GET", path).json()["Invoices"][0]["LineItems"][0]["UnitAmount"] == 87.33
    shown = session.call("GET", path, params={"unitdp": "4"}).json()["Invoices"][0]
    assert (shown["LineItems"][0]["UnitAmount"], shown["LineItems"][0]["LineAmount"]) == (87.333, 109166.25)
    item = {"Code": "DP-ITEM", "PurchaseDetails": {"UnitPrice": 10.1234, "AccountCode": "310"}}
    two_dp = session.call("PUT", "/Items", json={"Items": [item]}).json()["Items"][0]
    four_dp = session.call(
        "PUT", "/Items", params={"unitdp": "4"}, json={"Items": [{**item, "Code": "DP-4"}]}
    )
    assert (
        two_dp["PurchaseDetails"]["UnitPrice"],
        four_dp.json()["Items"][0]["PurchaseDetails"]["UnitPrice"],
    ) == (
        10.12,
        10.1234,
    )
    bad = session.call("GET", path, params={"unitdp": "3"})
    assert bad.status_code == 400 and "unitdp must be 2 or 4" in bad.json()["Message"]


def test_absent_fields_are_left_out_and_contacts_carry_contact_groups(sandbox):
    session = login(sandbox)
    accounts = session.call("GET", "/Accounts").json()["Accounts"]
    assert _nulls(accounts) == []
    assert sum("CurrencyCode" in a for a in accounts) == sum(a["Type"] == "BANK" for a in accounts) > 0
    contacts = _all(session, "/Contacts", "Contacts", includeArchived="true")
    assert contacts and all(c["ContactGroups"] == [] for c in contacts) and _nulls(contacts) == []
    made = session.call("PUT", "/Contacts", json={"Contacts": [{"Name": "Groupless Ltd"}]}).json()
    assert made["Contacts"][0]["ContactGroups"] == []
    assert _nulls(_all(session, "/Invoices", "Invoices")) == []


def test_connections_in_any_case(sandbox):
    session = login(sandbox)
    answers = [
        requests.get(
            f"{sandbox.xero_url}{path}",
            headers={"Authorization": f"Bearer {session.access_token}"},
            timeout=10,
        )
        for path in ("/connections", "/Connections", "/CONNECTIONS")
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    tenants = [sorted(c["tenantId"] for c in a.json()) for a in answers]
    assert tenants[0] == tenants[1] == tenants[2] and session.tenant_id in tenants[0]


def test_where_methods_and_parentheses(sandbox):
    session = login(sandbox)
    contacts = _all(session, "/Contacts", "Contacts")
    some = contacts[0]["Name"]
    word = some.split()[0]
    contains = _all(session, "/Contacts", "Contacts", where=f'Name.Contains("{word.upper()}")')
    assert {c["ContactID"] for c in contains} == {
        c["ContactID"] for c in contacts if word.lower() in c["Name"].lower()
    }
    starts = _all(session, "/Contacts", "Contacts", where=f'Name.StartsWith("{some[:3]}")')
    assert {c["ContactID"] for c in starts} == {
        c["ContactID"] for c in contacts if c["Name"].lower().startswith(some[:3].lower())
    }
    invoices = _all(session, "/Invoices", "Invoices")
    grouped = _all(
        session,
        "/Invoices",
        "Invoices",
        where='Type=="ACCPAY" AND (Status=="DRAFT" OR AmountDue>1000)',
    )
    expected = [
        i["InvoiceID"]
        for i in invoices
        if i["Type"] == "ACCPAY" and (i["Status"] == "DRAFT" or i["AmountDue"] > 1000)
    ]
    assert [i["InvoiceID"] for i in grouped] == expected and 0 < len(expected) < len(invoices)
    unbalanced = session.call("GET", "/Invoices", params={"where": '(Type=="ACCPAY"'})
    assert unbalanced.status_code == 400 and unbalanced.json()["Type"] == "QueryParseException"


def test_search_summary_and_date_range_are_honoured(sandbox):
    session = login(sandbox)
    invoices = _all(session, "/Invoices", "Invoices")
    found = _all(session, "/Invoices", "Invoices", searchTerm="inv-000")
    assert [i["InvoiceID"] for i in found] == [
        i["InvoiceID"] for i in invoices if "inv-000" in i["InvoiceNumber"].lower()
    ]
    assert found
    contacts = _all(session, "/Contacts", "Contacts")
    needle = contacts[1]["Name"][1:5]
    searched = _all(session, "/Contacts", "Contacts", searchTerm=needle)
    assert contacts[1]["ContactID"] in {c["ContactID"] for c in searched}
    summary = _all(session, "/Invoices", "Invoices", summaryOnly="true")
    assert len(summary) == len(invoices) and not any("LineItems" in i for i in summary)
    assert [i["Total"] for i in summary] == [i["Total"] for i in invoices]
    orders = _all(session, "/PurchaseOrders", "PurchaseOrders")
    day = orders[0]["DateString"][:10]
    same_day = _all(session, "/PurchaseOrders", "PurchaseOrders", DateFrom=day, DateTo=day)
    assert [o["PurchaseOrderID"] for o in same_day] == [
        o["PurchaseOrderID"] for o in orders if o["DateString"][:10] == day
    ]
    refused = session.call("GET", "/Invoices", params={"createdByMyApp": "true"})
    assert refused.status_code == 400 and "createdByMyApp" in refused.json()["Message"]
    periods = session.call("GET", "/Reports/ProfitAndLoss", params={"periods": "3"})
    assert periods.status_code == 400 and "periods" in periods.json()["Message"]


def test_unpaged_invoice_list_carries_no_line_items(sandbox):
    session = login(sandbox)
    unpaged = session.call("GET", "/Invoices").json()["Invoices"]
    paged = session.call("GET", "/Invoices", params={"page": "1"}).json()["Invoices"]
    assert [i["InvoiceID"] for i in unpaged] == [i["InvoiceID"] for i in paged]
    assert not any("LineItems" in i for i in unpaged) and all(i["LineItems"] for i in paged)
    one = session.call("GET", f"/Invoices/{unpaged[0]['InvoiceID']}").json()["Invoices"][0]
    assert one["LineItems"]


def test_profit_and_loss_has_one_column_per_tracking_option(sandbox):
    session = login(sandbox)
    category = session.call("PUT", "/TrackingCategories", json={"Name": "Job"}).json()["TrackingCategories"][
        0
    ]
    path = f"/TrackingCategories/{category['TrackingCategoryID']}/Options"
    north, south = (
        session.call("PUT", path, json={"Name": n}).json()["Options"][0] for n in ("North", "South")
    )

    def bill(number: str, amount: float, option: dict[str, Any] | None) -> None:
        tracking = (
            [
                {
                    "TrackingCategoryID": category["TrackingCategoryID"],
                    "TrackingOptionID": option["TrackingOptionID"],
                }
            ]
            if option
            else []
        )
        line = {"Description": "Work", "UnitAmount": amount, "AccountCode": "310", "Tracking": tracking}
        _put(session, _document("ACCPAY", number, Date="2027-02-10", LineItems=[line]))

    bill("PL-N", 1200.40, north)
    bill("PL-S", 300.10, south)
    bill("PL-U", 50.05, None)
    report = session.call(
        "GET",
        "/Reports/ProfitAndLoss",
        params={
            "fromDate": "2027-02-01",
            "toDate": "2027-02-28",
            "trackingCategoryID": category["TrackingCategoryID"],
        },
    ).json()["Reports"][0]
    assert [c["Value"] for c in report["Rows"][0]["Cells"]] == ["", "North", "South", "Unassigned", "Total"]
    rows = [row for section in report["Rows"][1:] for row in section.get("Rows", [])]
    costs = next(r for r in rows if r["Cells"][0]["Value"] == "Cost of Goods Sold - Subcontract Costs")
    assert [c["Value"] for c in costs["Cells"][1:]] == ["1200.40", "300.10", "50.05", "1550.55"]
    net = next(r for r in rows if r["Cells"][0]["Value"] == "Net Profit")
    assert [c["Value"] for c in net["Cells"][1:]] == ["-1200.40", "-300.10", "-50.05", "-1550.55"]
