"""The hourly cycle's end state, checked as the ``dag.test()`` round trip checks it: shared by the cluster
test (Celery workers) and the runtime lock test (the DAGs run by the runtime-only virtualenv's python)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from procore_xero.staging import Crosswalk, all_links, create_staging_engine, list_open
from procore_xero.staging.job_costs import read_job_costs
from sandbox.process import SandboxProcess
from tests.dags.test_procore_to_xero import money, tenant_key, xero_tenant
from tests.scheduler.test_real_scheduler import drift_mail


def check_end_state(
    sandbox: SandboxProcess,
    staging_url: str,
    before: dict[str, Any],
    month_end: dict[str, Any],
    mail: tuple[Path, str, str],
) -> dict[str, Any]:
    """No duplicate, no loss: each approved requisition is one bill (by reference) totalling its net amount
    due to the cent, or held with a reason; every live Xero payment on a synced bill is one Procore payment,
    to the cent; job-cost figures add up on every code; the drift report for the day reached the controller.
    ``before``: the Xero tenant before the cycle; ``month_end``: ``run_month_end``'s record; ``mail``: (mail
    catcher's folder, report day, controller). Returns the figures checked."""
    procore, after = sandbox.admin("procore", "GET", "state"), xero_tenant(sandbox)
    engine = create_staging_engine(staging_url)
    tenant = tenant_key(sandbox)
    entered = before["Invoices"] + month_end["bills"]  # the seed's and the controller's own
    old = {i["InvoiceID"].lower() for i in entered}
    bills = [i for i in after["Invoices"] if i["Type"] == "ACCPAY" and i["InvoiceID"].lower() not in old]
    references = Counter(b["InvoiceNumber"] for b in bills)
    assert [ref for ref, n in references.items() if n > 1] == []
    bill_of = all_links(engine, tenant, Crosswalk("procore", "requisitions", "xero", "Invoices"))
    assert sorted(v.lower() for v in bill_of.values()) == sorted(b["InvoiceID"].lower() for b in bills)
    assert len(bills) > 20
    held = {
        e.problem.source_id.split(":")[0]
        for e in list_open(engine)
        if e.problem.object_type == "requisitions" and e.problem.reason_code != "item_name_truncated"
    }
    requisitions = {str(r["id"]): r for r in procore["requisitions"]}
    approved = {id_ for id_, r in requisitions.items() if r["status"] == "approved"}
    assert set(bill_of) | held >= approved and not set(bill_of) & held
    assert len(bill_of) == len(approved - held)
    total = {b["InvoiceID"].lower(): money(b["Total"]) for b in bills}
    due = {
        bill.lower(): money(requisitions[req]["summary"]["current_payment_due"])
        for req, bill in bill_of.items()
    }
    assert total == due

    # Money back: every live Xero payment on a synced bill is one Procore payment, to the cent.
    live = [
        p
        for p in after["Payments"]
        if p["Invoice"]["InvoiceID"].lower() in total and p["Status"] != "DELETED"
    ]
    issued = {p["origin_id"]: p for p in procore["contract_payments"] if p.get("origin_id")}
    assert len(issued) == len(live) > 0
    for payment in live:
        assert money(issued[payment["PaymentID"].lower()]["amount"]) == money(payment["Amount"])

    # Job costs add up on every code; the drift report reached the controller.
    figures = read_job_costs(engine, tenant)
    assert figures
    for row in figures:
        assert row["jtd_cost"] == row["commitment_invoiced"] + row["direct_costs"], row
    invoiced = sum((row["commitment_invoiced"] for row in figures), Decimal(0))
    assert invoiced > 0
    mail_dir, day, controller = mail
    (report,) = drift_mail(mail_dir, day)
    assert report["X-Envelope-To"] == controller
    engine.dispose()
    return {
        "bills": len(bills),
        "bills_total": totals_by_currency(bills, "Total"),
        "held_requisitions": len(approved & held),
        "payments": len(live),
        "payments_total": totals_by_currency(live, "Amount"),
        "job_cost_codes": len(figures),
        "commitment_invoiced": str(invoiced),
    }


def totals_by_currency(records: list[dict[str, Any]], field: str) -> dict[str, str]:
    """Sum of ``field`` per currency (bills and payments on the CAD project are in CAD), to the cent."""
    sums: dict[str, Decimal] = {}
    for record in records:
        currency = record.get("CurrencyCode") or record["Invoice"].get("CurrencyCode") or "USD"
        sums[currency] = sums.get(currency, Decimal(0)) + money(record[field])
    return {currency: f"{amount:.2f}" for currency, amount in sorted(sums.items())}
