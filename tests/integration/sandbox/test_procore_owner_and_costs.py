"""Payments issued, direct costs, prime contracts and owner invoices as Procore publishes them: required
parameters, the published filters only, list vs show shapes, singular prime contract paths, G702/G703."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.integration.sandbox.procore_api import V10, V11, ProcoreApi


def D(value: Any) -> Decimal:
    return Decimal(str(value))


def _paid_commitment(api: ProcoreApi) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    payments = api.state()["contract_payments"]
    first = payments[0]
    return first, [p for p in payments if p["contract_id"] == first["contract_id"]]


def test_contract_payments_need_contract_id_and_publish_no_filters(sandbox):
    api = ProcoreApi(sandbox)
    first, same_contract = _paid_commitment(api)
    project = first["project_id"]
    missing = api.get(f"{V10}/contract_payments", project_id=project)
    assert missing.status_code == 400 and "contract_id" in missing.json()["errors"]
    assert api.get(f"{V10}/contract_payments/{first['id']}", project_id=project).status_code == 400
    assert (
        api.call(
            "DELETE", f"{V10}/contract_payments/{first['id']}", params={"project_id": project}
        ).status_code
        == 400
    )
    listed = api.get(
        f"{V10}/contract_payments",
        project_id=project,
        contract_id=first["contract_id"],
        **{"filters[origin_id]": "nothing-has-this", "filters[updated_at]": "2000-01-01...2000-01-02"},
    ).json()
    assert sorted(p["id"] for p in listed) == sorted(p["id"] for p in same_contract)  # filters ignored
    shown = api.get(
        f"{V10}/contract_payments/{first['id']}", project_id=project, contract_id=first["contract_id"]
    )
    payment = shown.json()
    assert "updated_at" not in payment and isinstance(payment["payment_number"], int)
    assert (payment["requisition_id"], payment["status"], D(payment["amount"])) == (
        first["requisition_id"],
        "paid",
        D(first["amount"]),
    )
    other = api.get(f"{V10}/contract_payments/{first['id']}", project_id=project, contract_id=1)
    assert other.status_code == 404


def test_a_created_payment_is_numbered_on_its_commitment_and_linked_to_the_invoice(sandbox):
    api = ProcoreApi(sandbox)
    first, same_contract = _paid_commitment(api)
    invoice = next(r for r in api.state()["requisitions"] if r["id"] == first["requisition_id"])
    body = {
        "project_id": first["project_id"],
        "contract_id": first["contract_id"],
        "contract_payment": {
            "amount": "10.05",
            "date": "2026-11-02",
            "invoice_number": invoice["invoice_number"],
        },
    }
    created = api.call("POST", f"{V10}/contract_payments", json=body)
    assert created.status_code == 201, created.text
    payment = created.json()
    assert payment["payment_number"] == max(p["payment_number"] for p in same_contract) + 1
    assert (payment["requisition_id"], D(payment["amount"])) == (invoice["id"], D("10.05"))
    no_contract = api.call("POST", f"{V10}/contract_payments", json={**body, "contract_id": None})
    assert no_contract.status_code == 422 and "contract_id" in no_contract.json()["errors"]


def test_direct_cost_list_and_show_shapes_and_published_filters(sandbox):
    api = ProcoreApi(sandbox)
    seeded = next(
        d for d in api.state()["direct_costs"] if d["vendor"] and d["direct_cost_type"] == "invoice"
    )
    path = f"{V10}/projects/{seeded['project_id']}/direct_costs"
    listed = api.get(path, **{"filters[invoice_number]": seeded["invoice_number"]}).json()
    assert [(c["id"], c["vendor"], c["vendor_id"], c["vendor_name"]) for c in listed] == [
        (seeded["id"], seeded["vendor"]["name"], seeded["vendor"]["id"], seeded["vendor"]["name"])
    ]
    assert not {"line_items", "project_id", "paid_date"} & set(listed[0]) and "payment_date" in listed[0]
    everything = api.get(path, per_page=500).json()
    assert len(api.get(path, per_page=500, **{"filters[status]": "nope"}).json()) == len(everything)
    v10 = api.get(f"{path}/{seeded['id']}").json()
    assert v10["vendor"] == {"id": seeded["vendor"]["id"], "name": seeded["vendor"]["name"]}
    assert "line_items" not in v10 and v10["line_items_count"] == 1
    v11 = api.get(f"{V11}/projects/{seeded['project_id']}/direct_costs/{seeded['id']}").json()
    assert [D(line["amount"]) for line in v11["line_items"]] == [D(seeded["grand_total"])]
    assert v11["project"]["id"] == seeded["project_id"] and "project_id" not in v11


def test_direct_cost_create_v10_wraps_item_and_requires_published_fields(sandbox):
    api = ProcoreApi(sandbox)
    project = api.first_project()
    vendor = api.get(f"{V10}/vendors").json()[0]
    path = f"{V10}/projects/{project['id']}/direct_costs"
    item = {"direct_cost_type": "invoice", "direct_cost_date": "2026-11-01", "payment_date": "2026-11-03"}
    refused = api.call("POST", path, json={"item": item})
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"invoice_number", "vendor_id"}
    created = api.call(
        "POST", path, json={"item": {**item, "invoice_number": "INV-9", "vendor_id": vendor["id"]}}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["payment_date"], created.json()["invoice_number"]) == ("2026-11-03", "INV-9")


def test_prime_contracts_show_on_the_singular_path_with_full_vendor_objects(sandbox):
    api = ProcoreApi(sandbox)
    contract = api.state()["prime_contracts"][0]
    project = contract["project_id"]
    assert api.get(f"{V10}/prime_contracts/{contract['id']}", project_id=project).status_code == 404
    shown = api.get(f"{V10}/prime_contract/{contract['id']}", project_id=project).json()
    assert shown["vendor"] == shown["contractor"] and shown["vendor"]["id"] == contract["vendor"]["id"]
    assert {"city", "email_address", "is_active"} <= set(shown["vendor"]) and "project_id" not in shown
    listed = api.get(f"{V10}/prime_contracts", project_id=project).json()
    assert [c["id"] for c in listed] == [contract["id"]] and "project_id" not in listed[0]
    updated = api.call(
        "PATCH",
        f"{V10}/prime_contract/{contract['id']}",
        json={"project_id": project, "prime_contract": {"description": "d"}},
    )
    assert updated.status_code == 200 and updated.json()["description"] == "d"


def test_owner_invoices_publish_g702_on_lists_and_g703_on_shows(sandbox):
    api = ProcoreApi(sandbox)
    seeded = api.state()["payment_applications"]
    first = seeded[0]
    project = first["project_id"]
    listed = api.get(f"{V10}/payment_applications", project_id=project, **{"filters[status]": "draft"}).json()
    assert {p["id"] for p in listed} == {p["id"] for p in seeded if p["project_id"] == project}
    assert all("g703" not in p and "summary" not in p and "prime_contract_id" not in p for p in listed)
    assert listed[0]["contract"] == {
        "id": first["prime_contract_id"],
        "type": "PrimeContract",
        "title": first["contract"]["title"],
    }
    assert len(listed[0]["updated_at"]) == 10  # published as a date
    for app in listed:
        shown = api.get(f"{V10}/payment_applications/{app['id']}", project_id=project).json()
        g702, g703 = {k: D(v) for k, v in shown["g702"].items() if k != "formatted_period"}, shown["g703"]
        completed = sum(D(line["total_completed_and_stored_to_date"]) for line in g703)
        retained = sum(D(line["total_retainage_currently_retained"]) for line in g703)
        assert (g702["total_completed_and_stored_to_date"], g702["total_retainage"]) == (completed, retained)
        assert (
            g702["current_payment_due"]
            == completed - retained - g702["less_previous_certificates_for_payment"]
        )
        for line in g703:
            assert D(line["total_retainage_currently_retained"]) == D(
                line["work_completed_retainage_from_previous_application"]
            ) + D(line["work_completed_retainage_retained_this_period"]) - D(
                line["work_completed_retainage_released_this_period"]
            )


def test_owner_invoice_created_and_updated_under_its_prime_contract(sandbox):
    api = ProcoreApi(sandbox)
    contract = api.state()["prime_contracts"][1]
    project = contract["project_id"]
    base = f"{V10}/prime_contracts/{contract['id']}/payment_applications"
    before = api.get(base, project_id=project).json()
    body = {
        "project_id": project,
        "payment_application": {"period_start": "2026-11-01", "period_end": "2026-11-30"},
    }
    created = api.call("POST", base, json=body)
    assert created.status_code == 201, created.text
    app = created.json()
    last = before[-1]
    assert app["number"] == last["number"] + 1 and D(app["g702"]["current_payment_due"]) == D("0")
    assert D(app["g702"]["less_previous_certificates_for_payment"]) == D(
        last["g702"]["total_earned_less_retainage"]
    )
    patched = api.call(
        "PATCH",
        f"{base}/{app['id']}",
        json={"project_id": project, "payment_application": {"status": "approved"}},
    )
    assert patched.status_code == 200 and patched.json()["status"] == "approved"
    assert api.call("PATCH", f"{V10}/payment_applications/{app['id']}", json=body).status_code in (404, 405)
