"""``procore_to_xero`` end to end on the demo seed: Procore staged by the real extract, the DAG run with
``dag.test()`` against the Xero sandbox, the result checked against the seed."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from procore_xero.staging import Crosswalk, TenantKey, all_links, create_staging_engine, list_open
from sandbox.process import SandboxProcess
from tests.procore_state import project_currency
from tools.approvals import controller_answers
from tools.extract_env import load_dag, sandbox_now

SEND_STAGE = "Send to Xero"
ITEM_CODE_MAX = 30


def xero_tenant(sandbox: SandboxProcess) -> dict[str, Any]:
    tenant_id = sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0]
    return sandbox.admin("xero", "GET", "state")["tenants"][tenant_id]


def tenant_key(sandbox: SandboxProcess) -> TenantKey:
    company_id = sandbox.admin("procore", "GET", "credentials")["company_id"]
    return TenantKey(company_id, sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0])


def same_name(name: str) -> str:
    """Xero treats contact names alike regardless of case and surrounding spaces."""
    return name.strip().casefold()


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def synced_jobs(procore: dict[str, Any]) -> set[str]:
    """Job numbers of the projects that become tracking options: at the send stage, with a job number."""
    return {
        p["project_number"]
        for p in procore["projects"]
        if p["project_stage"]["name"] == SEND_STAGE and p["project_number"]
    }


def item_codes(procore: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(codes that fit Xero's 30 characters, codes that do not) for every cost code × cost type."""
    codes = {
        f"{c['full_code']}-{t['code']}" for c in procore["cost_codes"] for t in procore["line_item_types"]
    }
    return {c for c in codes if len(c) <= ITEM_CODE_MAX}, {c for c in codes if len(c) > ITEM_CODE_MAX}


def test_demo_seed_lands_in_xero_once_and_every_trap_is_held(
    sandbox: SandboxProcess, synced_env: str
) -> None:
    procore = sandbox.admin("procore", "GET", "state")
    before = xero_tenant(sandbox)
    # Answers lost after Xero applied the writes: the retries must not create anything twice.
    for endpoint in ("/Contacts$", "/PurchaseOrders$", "/Invoices$"):
        lost = {"kind": "drop_after_write", "path": endpoint, "method": "PUT", "count": 1}
        sandbox.admin("xero", "POST", "faults", lost)
    with controller_answers({"approve": [], "reject": []}) as answers:  # the controller decides nothing
        run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox))
    assert run.state == "success" and len(answers) == 1
    assert sandbox.admin("xero", "GET", "stats")["faults_fired"] == {"drop_after_write": 3}
    after = xero_tenant(sandbox)
    queue = list_open(create_staging_engine(synced_env))
    held = Counter(e.problem.reason_code for e in queue)
    held_ids = {
        (e.problem.object_type, e.problem.source_id)
        for e in queue
        if e.problem.reason_code != "item_name_truncated"
    }

    # Tracking options: one per project at the send stage with a job number; the others are exceptions.
    category = next(c for c in after["TrackingCategories"] if c["Name"] == "Project")
    assert {o["Name"].split(" ", 1)[0] for o in category["Options"]} == synced_jobs(procore)
    assert held["missing_job_number"] == sum(1 for p in procore["projects"] if not p["project_number"])
    assert held["wrong_stage"] == sum(
        1 for p in procore["projects"] if p["project_stage"]["name"] != SEND_STAGE and p["project_number"]
    )

    # Items: every code that fits, plus the retainage item, exactly once; each too-long code held.
    fitting, too_long = item_codes(procore)
    codes = Counter(i["Code"] for i in after["Items"])
    assert fitting | {"RETAINAGE"} <= set(codes) and max(codes.values()) == 1
    assert held["item_code_too_long"] == len(too_long) > 0

    # Contacts: every active vendor exactly once (ContactNumber = vendor id, or linked by name).
    names = Counter(same_name(c["Name"]) for c in after["Contacts"])
    active = [v for v in procore["vendors"] if v["is_active"]]
    assert [v["name"] for v in active if names[same_name(v["name"])] != 1] == []
    numbers = {c.get("ContactNumber") for c in after["Contacts"]}
    linked_by_name = {same_name(c["Name"]) for c in before["Contacts"]}
    assert all(str(v["id"]) in numbers or same_name(v["name"]) in linked_by_name for v in active)
    assert any(same_name(v["name"]) in linked_by_name for v in active)  # the seed's existing contacts

    # Nothing lost: every approved document is in Xero or waits in the queue with a reason.
    new_invoices = [
        i for i in after["Invoices"] if i["InvoiceID"] not in {b["InvoiceID"] for b in before["Invoices"]}
    ]
    bills = [i for i in new_invoices if i["Type"] == "ACCPAY"]
    sales = [i for i in new_invoices if i["Type"] == "ACCREC"]
    new_pos = [p for p in after["PurchaseOrders"] if p not in before["PurchaseOrders"]]
    approved = {
        "requisitions": [r for r in procore["requisitions"] if r["status"] == "approved"],
        "payment_applications": [a for a in procore["payment_applications"] if a["status"] == "approved"],
        "commitments": [
            c
            for kind in ("work_order_contracts", "purchase_order_contracts")
            for c in procore[kind]
            if c["status"] in ("Approved", "Complete")
        ],
    }
    held_of = Counter(kind for kind, _ in held_ids)
    assert len(bills) + held_of["requisitions"] == len(approved["requisitions"])
    assert len(sales) + held_of["payment_applications"] == len(approved["payment_applications"])
    assert len(new_pos) + held_of["work_order_contracts"] + held_of["purchase_order_contracts"] == len(
        approved["commitments"]
    )
    assert held["negative_invoice"] == sum(
        1 for r in approved["requisitions"] if money(r["summary"]["current_payment_due"]) < 0
    )
    assert held["po_above_remaining_budget"] > 0  # the seed over-commits some budgets: held for approval

    # Each bill totals Procore's net amount due to the cent, with the period's retainage on RETAINAGE
    # lines (held negative, released positive); the CAD project's bills are in CAD.
    engine = create_staging_engine(synced_env)
    bill_of = all_links(engine, tenant_key(sandbox), Crosswalk("procore", "requisitions", "xero", "Invoices"))
    xero_bills = {b["InvoiceID"]: b for b in bills}
    assert len(bill_of) == len(bills) and len({b["InvoiceNumber"] for b in bills}) == len(bills)
    cad_projects = {p["id"] for p in procore["projects"] if project_currency(procore, p) == "CAD"}
    contact_of = all_links(engine, tenant_key(sandbox), Crosswalk("procore", "vendors", "xero", "Contacts"))
    codes = {c["id"]: c["full_code"] for c in procore["cost_codes"]}
    types = {t["id"]: t["code"] for t in procore["line_item_types"]}
    options = {
        p["id"]: o["Name"]
        for p in procore["projects"]
        for o in category["Options"]
        if o["Name"].startswith(f"{p['project_number']} ")
    }
    for requisition in approved["requisitions"]:
        bill = xero_bills.get(bill_of.get(str(requisition["id"]), ""))
        if bill is None:
            continue
        summary = requisition["summary"]
        assert money(bill["Total"]) == money(summary["current_payment_due"]), requisition["id"]
        retainage = sorted(
            money(line["LineAmount"]) for line in bill["LineItems"] if line["ItemCode"] == "RETAINAGE"
        )
        expected = [
            -money(summary["retainage_retained_this_period"]),
            money(summary["retainage_released_this_period"]),
        ]
        assert retainage == sorted(amount for amount in expected if amount), requisition["id"]
        assert bill["CurrencyCode"] == ("CAD" if requisition["project_id"] in cad_projects else "USD")
        assert bill["DateString"][:10] == requisition["billing_date"], requisition["id"]
        assert bill["DueDateString"][:10] == requisition["payment_date"], requisition["id"]
        assert bill["Contact"]["ContactID"] == contact_of[str(requisition["vendor"]["id"])]
        billed = sorted(
            (
                f"{codes[i['cost_code_id']]}-{types[i['line_item_type_id']]}",
                money(i["work_completed_this_period"]),
            )
            for i in requisition["items"]
            if money(i["work_completed_this_period"])
        )
        sov = sorted((line["ItemCode"], money(line["LineAmount"])) for line in bill["LineItems"])
        assert [line for line in sov if line[0] != "RETAINAGE"] == billed, requisition["id"]
        assert {t["Option"] for line in bill["LineItems"] for t in line["Tracking"]} == {
            options[requisition["project_id"]]
        }
    assert any(b["CurrencyCode"] == "CAD" for b in bills)

    # A second run writes nothing.
    sandbox.admin("xero", "DELETE", "stats")
    with controller_answers({"approve": [], "reject": []}):
        assert load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox)).state == "success"
    calls = sandbox.admin("xero", "GET", "stats")["calls"]
    assert {call: n for call, n in calls.items() if call.split(" ")[0] in ("PUT", "POST")} == {}
