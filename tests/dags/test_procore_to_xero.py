"""``procore_to_xero`` end to end on the demo seed: Procore staged by the real extract, the DAG run with
``dag.test()`` against the Xero sandbox, the result checked against the seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from procore_xero.mapping import load_spec
from procore_xero.mapping.vendor_names import name_key
from procore_xero.reports.inputs import read_inputs
from procore_xero.reports.open_exceptions import ExceptionFilter, RootGroup, grouped, open_exceptions
from procore_xero.reports.report import compute_report
from procore_xero.reports.summary import queue_count
from procore_xero.staging import (
    Crosswalk,
    Problem,
    QueuedException,
    TenantKey,
    all_links,
    create_staging_engine,
    list_open,
    raise_exception,
)
from procore_xero.staging.schema import exceptions
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
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


def money(value: Any) -> Decimal:
    return Decimal(str(value))


# Retainage held and released this period, on work and on stored materials (the requisition's items).
HELD = ("work_completed_retainage_retained_this_period", "materials_stored_retainage_new_materials")
RELEASED = (
    "work_completed_retainage_released_this_period",
    "materials_stored_retainage_released_this_period",
)


def sum_of(items: list[dict[str, Any]], *keys: str) -> Decimal:
    return sum((money(item[key]) for item in items for key in keys), Decimal(0))


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


def queued_before_out_of_scope(sandbox: SandboxProcess, url: str, procore: dict[str, Any]) -> int:
    """An exception an earlier run raised on an invoice of a project now out of scope (it was in scope
    then: its vendor not in Xero); returns its id."""
    out = {p["id"] for p in procore["projects"] if p["project_stage"]["name"] != SEND_STAGE}
    invoice = next(r for r in procore["requisitions"] if r["project_id"] in out and r["status"] == "approved")
    problem = Problem(tenant_key(sandbox), "procore", "requisitions", invoice["id"], "unmapped_vendor")
    engine = create_staging_engine(url)
    return raise_exception(engine, problem, source_label=f"Invoice {invoice['id']}", message="earlier run")


def one_queue_everywhere(
    sandbox: SandboxProcess,
    url: str,
    procore: dict[str, Any],
    queue: list[QueuedException],
    earlier: int,
) -> None:
    """The exceptions page, the drift report and the demo's console count the same open records; none
    is of a project out of scope (the earlier one closed as such); the documents of a project at the
    send stage without a job number are held for that project on both surfaces."""
    engine, key = create_staging_engine(url), tenant_key(sandbox)
    page = open_exceptions(
        engine, {"demo": key}, now=datetime.now(UTC), approvals={}, wanted=ExceptionFilter()
    )
    report = compute_report(read_inputs(engine, key, "USD"), load_spec().settings)
    assert sorted(r.exception_id for r in page) == sorted(report.waiting["exception_id"])
    assert sorted(e.id for e in queue) == sorted(report.waiting["exception_id"])
    assert queue_count(report).startswith(f"{len(queue)} (")
    with engine.connect() as connection:
        status = connection.execute(
            select(exceptions.c.status).where(exceptions.c.id == earlier)
        ).scalar_one()
    assert status == "out_of_scope" and earlier not in {e.id for e in queue}
    out = {str(p["id"]) for p in procore["projects"] if p["project_stage"]["name"] != SEND_STAGE}
    assert not out & set(report.waiting["project_id"].dropna())
    (unnumbered,) = [p for p in procore["projects"] if not p["project_number"] and str(p["id"]) not in out]
    label, unnumbered = f"{unnumbered['name']} (no job number)", str(unnumbered["id"])
    (group,) = [g for g in grouped(page) if isinstance(g, RootGroup) and g.root.key == unnumbered]
    roots = report.queue_roots.set_index("root_key")
    assert group.root.label == roots.at[unnumbered, "root_label"] == label
    held_for_it = report.waiting[report.waiting["root_key"] == unnumbered]
    assert group.documents == roots.at[unnumbered, "records"] == held_for_it["source_id"].nunique() > 0
    assert group.reasons == ["missing_job_number", "project_not_synced"]
    assert group.total == roots.at[unnumbered, "documents_total"] > 0


def test_demo_seed_lands_in_xero_once_and_every_trap_is_held(
    sandbox: SandboxProcess, synced_env: str
) -> None:
    procore = sandbox.admin("procore", "GET", "state")
    before = xero_tenant(sandbox)
    # Answers lost after Xero applied the writes: the retries must not create anything twice.
    for endpoint in ("/Contacts$", "/PurchaseOrders$", "/Invoices$"):
        lost = {"kind": "drop_after_write", "path": endpoint, "method": "PUT", "count": 1}
        sandbox.admin("xero", "POST", "faults", lost)
    earlier = queued_before_out_of_scope(sandbox, synced_env, procore)
    with controller_answers({"approve": [], "reject": []}) as answers:  # the controller decides nothing
        run = load_dag("procore_to_xero").test(logical_date=sandbox_now(sandbox))
    assert run.state == "success" and len(answers) == 1
    assert sandbox.admin("xero", "GET", "stats")["faults_fired"] == {"drop_after_write": 3}
    after = xero_tenant(sandbox)
    queue = list_open(create_staging_engine(synced_env))
    one_queue_everywhere(sandbox, synced_env, procore, queue, earlier)
    held = Counter(e.problem.reason_code for e in queue)
    held_ids = {
        (e.problem.object_type, e.problem.source_id)
        for e in queue
        if e.problem.reason_code != "item_name_truncated"
    }

    # Tracking options: one per project at the send stage with a job number; the others are exceptions.
    category = next(c for c in after["TrackingCategories"] if c["Name"] == "Project")
    assert {o["Name"].split(" ", 1)[0] for o in category["Options"]} == synced_jobs(procore)
    # Projects at another stage are out of scope by design: neither sent nor queued, their documents neither.
    out_of_scope = {p["id"] for p in procore["projects"] if p["project_stage"]["name"] != SEND_STAGE}
    assert out_of_scope and held["wrong_stage"] == 0
    assert held["missing_job_number"] == sum(
        1 for p in procore["projects"] if not p["project_number"] and p["id"] not in out_of_scope
    )

    # Items: every code that fits, plus the retainage item, exactly once; each too-long code held.
    fitting, too_long = item_codes(procore)
    codes = Counter(i["Code"] for i in after["Items"])
    assert fitting | {"RETAINAGE"} <= set(codes) and max(codes.values()) == 1
    assert held["item_code_too_long"] == len(too_long) > 0

    # Contacts under the one company-name rule (mapping.vendor_names): a vendor whose name is another
    # active vendor's (case, spaces, punctuation, legal suffix aside) or only near existing contacts'
    # waits for a person; every other one is in Xero once, found again by its ContactNumber (created with
    # it, or linked by name and given it), and no contact was created beside one of the same company.
    active = [v for v in procore["vendors"] if v["is_active"]]
    held_vendors = {
        e.problem.source_id: e.problem.reason_code for e in queue if e.problem.object_type == "vendors"
    }
    assert set(held_vendors.values()) == {"duplicate_vendor_name", "contact_name_near_match"}
    sent = [v for v in active if str(v["id"]) not in held_vendors]
    numbers = Counter(c.get("ContactNumber") for c in after["Contacts"])
    assert [v["name"] for v in sent if numbers[str(v["id"])] != 1] == []
    assert not set(held_vendors) & set(numbers)
    before_ids = {c["ContactID"] for c in before["Contacts"]}
    before_keys = {name_key(c["Name"]) for c in before["Contacts"]}
    created = [c for c in after["Contacts"] if c["ContactID"] not in before_ids]
    assert [c["Name"] for c in created if name_key(c["Name"]) in before_keys] == []
    assert len(created) == sum(1 for v in sent if name_key(v["name"]) not in before_keys)
    before_names = {c["Name"] for c in before["Contacts"]}
    assert any(name_key(v["name"]) in before_keys and v["name"] not in before_names for v in sent)

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
    project_of = project_of_records(procore)
    by_design = Counter(
        kind
        for kind, documents in approved.items()
        for document in documents
        if (document["project"]["id"] if kind == "commitments" else project_of(kind, document))
        in out_of_scope
    )
    assert by_design["requisitions"] > 0 and by_design["commitments"] > 0
    assert len(bills) + held_of["requisitions"] + by_design["requisitions"] == len(approved["requisitions"])
    assert len(sales) + held_of["payment_applications"] + by_design["payment_applications"] == len(
        approved["payment_applications"]
    )
    assert len(new_pos) + held_of["work_order_contracts"] + held_of["purchase_order_contracts"] + by_design[
        "commitments"
    ] == len(approved["commitments"])
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
    type_of_line = {line["id"]: line["line_item_type"]["id"] for line in procore["commitment_line_items"]}
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
        assert money(bill["Total"]) == money(requisition["summary"]["current_payment_due"]), requisition["id"]
        items = requisition["items"]
        retainage = sorted(
            money(line["LineAmount"]) for line in bill["LineItems"] if line["ItemCode"] == "RETAINAGE"
        )
        expected = [-sum_of(items, *HELD), sum_of(items, *RELEASED)]
        assert retainage == sorted(amount for amount in expected if amount), requisition["id"]
        assert bill["CurrencyCode"] == ("CAD" if requisition["project_id"] in cad_projects else "USD")
        assert bill["DateString"][:10] == requisition["billing_date"], requisition["id"]
        assert bill["DueDateString"][:10] == requisition["payment_date"], requisition["id"]
        assert bill["Contact"]["ContactID"] == contact_of[str(requisition["vendor_id"])]
        billed = sorted(
            (f"{codes[i['cost_code_id']]}-{types[type_of_line[i['line_item_id']]]}", amount)
            for i in items
            for amount in (
                money(i["work_completed_this_period"]),
                money(i["materials_presently_stored"])
                - money(i["materials_presently_stored_from_previous_progress"]),
            )
            if amount
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
