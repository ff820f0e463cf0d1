"""Subcontractor invoices (requisitions) over HTTP, as Procore publishes them: versions, views, G702/G703
arithmetic to the cent, v1.0 create + per-line PATCH, v1.1 create with items, deletes, unpublished routes."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi

# Names the emulator used before it followed the published contract; none may come back.
UNPUBLISHED = {"vendor", "period_start", "period_end", "retainage_percent"}
UNPUBLISHED_SUMMARY = {
    "work_completed_this_period",
    "retainage_retained_this_period",
    "retainage_released_this_period",
}
UNPUBLISHED_ITEM = {
    "line_item_type_id",
    "total_retainage_currently_retained",
    "balance_to_finish",
    "net_amount",
}


def D(value: Any) -> Decimal:
    """An amount as the API sends it (a string, or a number before the string rendering) as a Decimal."""
    return Decimal(str(value))


def _check_invoice(invoice: dict[str, Any]) -> None:
    """G702 and G703 identities, to the cent."""
    s = {k: D(v) for k, v in invoice["summary"].items() if k != "formatted_period"}
    items = invoice["items"]

    def total(key: str) -> Decimal:
        return sum((D(i[key]) for i in items), Decimal(0))

    work_held = sum(
        (
            D(i["work_completed_retainage_from_previous_application"])
            + D(i["work_completed_retainage_retained_this_period"])
            - D(i["work_completed_retainage_released_this_period"])
            for i in items
        ),
        Decimal(0),
    )
    assert s["total_completed_and_stored_to_date"] == total("total_completed_and_stored_to_date")
    assert s["completed_work_retainage_amount"] == work_held
    assert s["stored_materials_retainage_amount"] == total("materials_stored_retainage_currently_retained")
    assert (
        s["total_retainage"] == s["completed_work_retainage_amount"] + s["stored_materials_retainage_amount"]
    )
    assert s["total_earned_less_retainage"] == s["total_completed_and_stored_to_date"] - s["total_retainage"]
    assert (
        s["current_payment_due"]
        == s["total_earned_less_retainage"] - s["less_previous_certificates_for_payment"]
    )
    assert s["contract_sum_to_date"] == s["original_contract_sum"] + s["net_change_by_change_orders"]
    assert (
        s["balance_to_finish_including_retainage"]
        == s["contract_sum_to_date"] - s["total_earned_less_retainage"]
    )
    # What the sync reads: the period's figures on the items add up to the payment due.
    period = sum(
        (
            D(i["work_completed_this_period"])
            + D(i["materials_presently_stored"])
            - D(i["materials_presently_stored_from_previous_progress"])
            - D(i["work_completed_retainage_retained_this_period"])
            + D(i["work_completed_retainage_released_this_period"])
            - D(i["materials_stored_retainage_new_materials"])
            + D(i["materials_stored_retainage_released_this_period"])
            for i in items
        ),
        Decimal(0),
    )
    assert period == s["current_payment_due"]
    for i in items:
        assert D(i["total_completed_and_stored_to_date"]) == D(
            i["work_completed_from_previous_application"]
        ) + D(i["work_completed_this_period"]) + D(i["materials_presently_stored"])


def test_every_seeded_invoice_obeys_g702_in_published_fields(sandbox):
    state = ProcoreApi(sandbox).state()
    invoices = state["requisitions"]
    for invoice in invoices:
        assert not UNPUBLISHED & set(invoice) and not UNPUBLISHED_SUMMARY & set(invoice["summary"])
        assert all(not UNPUBLISHED_ITEM & set(item) for item in invoice["items"])
        _check_invoice(invoice)
    chains: dict[int, list[dict[str, Any]]] = {}
    for invoice in invoices:
        chains.setdefault(invoice["commitment_id"], []).append(invoice)
    for chain in chains.values():
        chain.sort(key=lambda r: r["number"])
        assert chain[0]["previous_requisition_id"] is None
        for before, after in pairwise(chain):
            assert after["previous_requisition_id"] == before["id"]
            assert D(after["summary"]["less_previous_certificates_for_payment"]) == D(
                before["summary"]["total_earned_less_retainage"]
            )
    # The demo seed's traps: credits, retainage released (work and stored materials), materials on site.
    assert sum(D(r["summary"]["current_payment_due"]) < 0 for r in invoices) == 3
    released = [
        r for r in invoices if any(D(i["work_completed_retainage_released_this_period"]) for i in r["items"])
    ]
    stored = [r for r in invoices if any(D(i["materials_presently_stored"]) for i in r["items"])]
    assert len(released) == 87 and len(stored) == 21
    assert (
        sum(
            any(D(i["materials_stored_retainage_released_this_period"]) for i in r["items"]) for r in invoices
        )
        == 7
    )


def test_versions_and_views_shape_the_answer(sandbox):
    api = ProcoreApi(sandbox)
    invoice = next(
        r for r in api.state()["requisitions"] if any(D(i["materials_presently_stored"]) for i in r["items"])
    )
    pid, rid = invoice["project_id"], invoice["id"]
    one = {"project_id": pid, "filters[id]": rid}
    v10 = api.get(f"{V10}/requisitions", **one).json()
    v11 = api.get(f"{V11}/requisitions", **one).json()
    extended = api.get(f"{V11}/requisitions", **one, view="extended").json()
    assert [r["id"] for r in v10] == [r["id"] for r in v11] == [r["id"] for r in extended] == [rid]
    assert "items" not in v10[0] and "vendor_id" not in v10[0] and "new_materials" not in v10[0]["summary"]
    assert v10[0]["vendor_name"] == invoice["vendor_name"] and "comment" in v10[0]
    assert "items" not in v11[0] and v11[0]["vendor_id"] == invoice["vendor_id"]
    assert len(extended[0]["items"]) == len(invoice["items"]) and extended[0]["item_packages"] == []
    assert D(extended[0]["summary"]["new_materials"]) == sum(
        (D(i["materials_presently_stored"]) for i in invoice["items"]), Decimal(0)
    )
    shown = api.get(f"{V11}/requisitions/{rid}", project_id=pid, view="items").json()
    assert [i["id"] for i in shown["items"]] == [i["id"] for i in invoice["items"]]
    assert "items" not in api.get(f"{V10}/requisitions/{rid}", project_id=pid, view="extended").json()
    assert "items" not in api.get(f"{V11}/requisitions/{rid}", project_id=pid, view="compact").json()
    assert api.get(f"{V11}/requisitions/{rid}").status_code == 400  # project_id is required
    for path in (f"{V10}/requisitions/{rid}/items", f"{V11}/requisitions/{rid}/contract_items"):
        assert api.get(path, project_id=pid).status_code == 404
    assert api.call("PATCH", f"{V10}/requisitions/sync", json={"updates": []}).status_code == 404


@pytest.fixture
def framing(sandbox) -> dict[str, Any]:
    """An approved subcontract (10 % retainage) with two SOV lines: 20,000.00 and 5,000.00."""
    api = ProcoreApi(sandbox)
    pid = api.first_project()["id"]
    vendor = api.state()["vendors"][30]
    new = {"title": "Framing", "vendor_id": vendor["id"], "retainage_percent": 10}
    commitment = api.call(
        "POST", f"{V10}/work_order_contracts", json={"project_id": pid, "work_order_contract": new}
    ).json()
    code = api.get(f"{V10}/cost_codes", project_id=pid).json()[0]
    kind = next(t for t in api.get(f"{V10}/line_item_types").json() if t["code"] == "S")
    path = f"{V10}/work_order_contracts/{commitment['id']}/line_items"
    for description, amount in (("Framing", 20000), ("Blocking", 5000)):
        sov = {
            "cost_code_id": code["id"],
            "line_item_type_id": kind["id"],
            "description": description,
            "amount": amount,
        }
        assert api.call("POST", path, json={"project_id": pid, "line_item": sov}).status_code == 201
    approve = {"project_id": pid, "work_order_contract": {"status": "Approved"}}
    assert (
        api.call("PATCH", f"{V10}/work_order_contracts/{commitment['id']}", json=approve).status_code == 200
    )
    lines = api.get(path, project_id=pid).json()
    return {"api": api, "pid": pid, "commitment": commitment, "lines": lines, "vendor": vendor}


def test_v10_create_has_no_items_then_each_line_is_billed_by_patch(framing):
    api, pid, commitment, lines = framing["api"], framing["pid"], framing["commitment"], framing["lines"]
    header = {
        "invoice_number": "INV-T1",
        "billing_date": "2026-10-31",
        "requisition_start": "2026-10-01",
        "requisition_end": "2026-10-31",
        # v1.0 publishes no items in the create body: Procore ignores them, so does the emulator.
        "items": [{"line_item_id": lines[0]["id"], "work_completed_this_period": "999.00"}],
    }
    body = {"project_id": pid, "commitment_id": commitment["id"], "requisition": header}
    created = api.call("POST", f"{V10}/requisitions", json=body)
    assert created.status_code == 201
    invoice = created.json()
    assert (
        invoice["vendor_id"] == framing["vendor"]["id"]
        and invoice["vendor_name"] == framing["vendor"]["name"]
    )
    assert invoice["status"] == "draft" and invoice["number"] == 1 and "items" not in invoice
    assert D(invoice["summary"]["current_payment_due"]) == 0
    assert invoice["summary"]["formatted_period"] == "10/01/2026 - 10/31/2026"
    rid = invoice["id"]
    items = api.get(f"{V10}/requisitions/{rid}/contract_items", project_id=pid).json()
    assert [i["line_item_id"] for i in items] == [line["id"] for line in lines]
    assert all(D(i["work_completed_this_period"]) == 0 for i in items)
    patch = {"project_id": pid, "requisition_contract_item": {"work_completed_this_period": "1234.55"}}
    billed = api.call("PATCH", f"{V10}/requisitions/{rid}/contract_items/{items[0]['id']}", json=patch)
    assert billed.status_code == 200
    assert D(billed.json()["work_completed_retainage_retained_this_period"]) == D("123.46")  # 10 %, half-up
    summary = api.get(f"{V10}/requisitions/{rid}", project_id=pid).json()["summary"]
    assert D(summary["total_completed_and_stored_to_date"]) == D("1234.55")
    assert D(summary["total_retainage"]) == D("123.46")
    assert D(summary["current_payment_due"]) == D("1111.09")
    assert D(summary["original_contract_sum"]) == D("25000.00")
    assert D(summary["balance_to_finish_including_retainage"]) == D("25000.00") - D("1111.09")
    detail = api.get(f"{V10}/requisitions/{rid}/detail", project_id=pid).json()
    assert D(detail[0]["total_retainage_currently_retained"]) == D("123.46")
    assert D(detail[0]["balance_to_finish"]) == D("18765.45")
    shown = api.get(f"{V11}/requisitions/{rid}", project_id=pid, view="extended").json()
    _check_invoice(shown)
    bad = {"project_id": pid, "requisition_contract_item": {"work_completed_this_period": "20000.01"}}
    refused = api.call("PATCH", f"{V10}/requisitions/{rid}/contract_items/{items[0]['id']}", json=bad)
    assert refused.status_code == 422
    assert "exceed the scheduled value 20000.00" in refused.json()["errors"]["work_completed_this_period"][0]
    approve = {"project_id": pid, "commitment_id": commitment["id"], "requisition": {"status": "approved"}}
    assert api.call("PATCH", f"{V10}/requisitions/{rid}", json=approve).json()["status"] == "approved"
    locked = api.call("PATCH", f"{V10}/requisitions/{rid}/contract_items/{items[0]['id']}", json=patch)
    assert locked.status_code == 422 and "approved" in locked.json()["errors"]["status"][0]


def test_v11_create_bills_items_stored_materials_and_releases(framing):
    api, pid, commitment, lines = framing["api"], framing["pid"], framing["commitment"], framing["lines"]
    first, second = lines[0]["id"], lines[1]["id"]

    def create(items: list[dict[str, Any]], number: str) -> Any:
        body = {
            "project_id": pid,
            "commitment_id": commitment["id"],
            "requisition": {"invoice_number": number, "items": items},
        }
        return api.call("POST", f"{V11}/requisitions", params={"view": "extended"}, json=body)

    untyped = create([{"line_item_id": first, "work_completed_this_period": "10.00"}], "X")
    assert untyped.status_code == 422 and "is required" in untyped.json()["errors"]["item_type"][0]
    one = create(
        [
            {"item_type": "contract_item", "line_item_id": first, "work_completed_this_period": "5000.00"},
            {"item_type": "contract_item", "line_item_id": second, "materials_presently_stored": "800.00"},
        ],
        "INV-1",
    )
    assert one.status_code == 201
    invoice = one.json()
    _check_invoice(invoice)
    blocking = invoice["items"][1]
    assert D(blocking["materials_stored_retainage_new_materials"]) == D("80.00")
    assert D(invoice["summary"]["stored_materials_retainage_amount"]) == D("80.00")
    assert D(invoice["summary"]["current_payment_due"]) == D("5800.00") - D("500.00") - D("80.00")
    approve = {"project_id": pid, "commitment_id": commitment["id"], "requisition": {"status": "approved"}}
    api.call("PATCH", f"{V11}/requisitions/{invoice['id']}", json=approve)
    # Invoice 2: the stored materials are installed (work 800.00, stored 0) and the work retainage released.
    two = create(
        [
            {
                "item_type": "contract_item",
                "line_item_id": first,
                "work_completed_retainage_released_this_period": "500.00",
            },
            {
                "item_type": "contract_item",
                "line_item_id": second,
                "work_completed_this_period": "800.00",
                "materials_presently_stored": "0",
            },
        ],
        "INV-2",
    )
    assert two.status_code == 201
    again = two.json()
    _check_invoice(again)
    assert again["previous_requisition_id"] == invoice["id"] and again["number"] == 2
    assert D(again["items"][1]["materials_stored_retainage_released_this_period"]) == D("80.00")
    assert D(again["summary"]["less_previous_certificates_for_payment"]) == D("5220.00")
    # 800.00 installed - 800.00 no longer stored - 80.00 retained on it + 500.00 + 80.00 released
    assert D(again["summary"]["current_payment_due"]) == D("500.00")
    over_release = create(
        [
            {
                "item_type": "contract_item",
                "line_item_id": first,
                "work_completed_retainage_released_this_period": "0.01",
            }
        ],
        "INV-3",
    )
    assert over_release.status_code == 422
    assert (
        "only 0.00 retainage is held"
        in over_release.json()["errors"]["work_completed_retainage_released_this_period"][0]
    )
    # v1.1 update edits items by their id; only the latest invoice, and not once approved.
    edit = {
        "project_id": pid,
        "commitment_id": commitment["id"],
        "requisition": {
            "items": [
                {
                    "id": again["items"][0]["id"],
                    "item_type": "contract_item",
                    "work_completed_this_period": "100.00",
                }
            ]
        },
    }
    edited = api.call("PATCH", f"{V11}/requisitions/{again['id']}", params={"view": "items"}, json=edit)
    assert edited.status_code == 200 and D(edited.json()["summary"]["current_payment_due"]) == D("590.00")
    stale = {
        **edit,
        "requisition": {"items": [{**edit["requisition"]["items"][0], "id": invoice["items"][0]["id"]}]},
    }
    refused = api.call("PATCH", f"{V11}/requisitions/{invoice['id']}", json=stale)
    assert refused.status_code == 422 and "approved" in refused.json()["errors"]["status"][0]
    not_latest = api.call("DELETE", f"{V10}/requisitions/{invoice['id']}", params={"project_id": pid})
    assert not_latest.status_code == 422
    assert (
        api.call("DELETE", f"{V11}/requisitions/{again['id']}", params={"project_id": pid}).status_code == 204
    )
    listed = api.get(
        f"{V10}/requisitions", project_id=pid, **{"filters[commitment_id]": commitment["id"]}
    ).json()
    assert [r["number"] for r in listed] == [1]
