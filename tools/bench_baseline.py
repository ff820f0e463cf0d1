"""``make bench``'s baseline: a deliberately simple per-record integration, as trigger/action automation tools
(Zapier-style "new record -> find or create -> create") do it, run on the same seed as the sync so the ratio
of API calls and wall time is measured.

What the baseline sends is what the sync sent on the same seed: the zap's field mapping and filter (approved
subcontractor invoices that pass the checks, their lines and retainage) are taken from the sync's own
transforms and validation on the sync's staging database (``baseline_input``), so the records can be
compared to the cent. What differs is only how the APIs are used:

- Procore -> Xero, per approved subcontractor invoice: find the vendor's contact by name (``GET Contacts``
  with a ``where`` filter) and create it if missing; for each line find its item (``GET Items/{code}``) and
  its project's tracking option (``GET TrackingCategories`` with a ``where`` filter), creating either if
  missing; then ``PUT Invoices`` with that one bill.
- Xero -> Procore, per Xero payment (the trigger lists ``Payments`` page by page): find the bill it pays
  (``GET Invoices/{id}``); for a bill the zap made, find the Procore subcontractor invoice it came from
  (``GET requisitions/{id}``: its commitment and invoice number); ``POST contract_payments``.

Both sandboxes are reset to the seed first (``POST /_sandbox/reset``) and the sandbox's month-end scenario
pays the baseline's bills exactly as it paid the sync's (same seed, same bills in the same order).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.process import SandboxProcess
from tools.bench_http import CountedApi, procore_api, sync_tenant_id, xero_api
from tools.bench_inbound import made_from_xero
from tools.bench_out import BenchRow
from tools.bench_sync import (
    BILL_STEPS,
    XERO_CALLS_PER_MINUTE,
    bill_calls,
    starter_per_day,
    sync_context,
)

PAGE_SIZE = 1_000
BILL_PAYMENT = "ACCPAYPAYMENT"


@dataclass(frozen=True)
class Bill:
    """One bill to send: its Procore invoice and project, its vendor, the Xero payload (contact by name)."""

    requisition_id: str
    project_id: str
    vendor_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class BaselineInput:
    """The zap's mapping: bills in the sync's order, contact payloads by vendor id, item payloads by code
    (tracking options are created by name, as each line names its project's)."""

    bills: list[Bill]
    contacts: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]


def baseline_input(env: dict[str, str]) -> BaselineInput:
    """In the sync's process environment, after its first pass: the records its transforms and validation
    pass for contacts, items and bills (what the sync sent; its links make the references resolve as
    they did in its run), each as one payload."""
    from procore_xero.outgoing import to_outgoing
    from procore_xero.sync.steps import STEPS
    from procore_xero.to_xero.known import known_in_xero
    from procore_xero.to_xero.step import staged_inputs
    from procore_xero.validation import validate

    os.environ.update(env)
    ctx = sync_context(env)
    known = known_in_xero(ctx.engine, ctx.tenant, ctx.spec, {}, ctx.currencies)

    def passed(name: str) -> Any:
        step = STEPS[name]
        staged = staged_inputs(ctx.engine, step.staged, ctx.tenant.company_id, None)
        return validate(step.transformed(staged, known, ctx.spec), name, ctx.spec.settings).passed

    return BaselineInput(
        bills=[
            Bill(
                str(row["requisition_id"]),
                str(row["project_id"]),
                str(row["vendor_id"]),
                dict(row["payload"]),
            )
            for row in passed("bills").to_dict("records")
        ],
        contacts={r.source_id: dict(r.payload) for r in to_outgoing(passed("contacts"))},
        items={r.payload["Code"]: dict(r.payload) for r in to_outgoing(passed("items"))},
    )


def quoted(text: str) -> str:
    """A text literal for Xero's ``where`` filter."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class XeroZap:
    """Procore -> Xero, one record at a time, nothing remembered between records but the bills it made."""

    xero: CountedApi
    data: BaselineInput

    def contact_id(self, vendor_id: str) -> str:
        """Find the contact by name as Xero's uniqueness rule sees it (case and trailing blanks aside: a
        range on ``Name``, the exact one picked from the answer), else create it."""
        contact = self.data.contacts[vendor_id]
        name = contact["Name"].strip()
        where = f"Name>={quoted(name)} AND Name<{quoted(name + '!')}"
        found = self.xero.call("GET Contacts (find by name)", "GET", "/Contacts", params={"where": where})
        same = [c for c in found["Contacts"] if c["Name"].strip().lower() == name.lower()]
        if same:
            return same[0]["ContactID"]
        made = self.xero.call("PUT Contacts", "PUT", "/Contacts", body={"Contacts": [contact]})
        return made["Contacts"][0]["ContactID"]

    def item(self, code: str) -> None:
        """Find the line's item by code, else create it."""
        if self.xero.call("GET Items/{code}", "GET", f"/Items/{code}", missing_ok=True) is None:
            self.xero.call("PUT Items", "PUT", "/Items", body={"Items": [self.data.items[code]]})

    def tracking_option(self, category: str, option: str) -> None:
        """Find the line's tracking category by name (its options come with it); create what is missing."""
        where = {"where": f"Name=={quoted(category)}"}
        found = self.xero.call("GET TrackingCategories (find)", "GET", "/TrackingCategories", params=where)
        categories = found["TrackingCategories"]
        if not categories:
            made = self.xero.call(
                "PUT TrackingCategories", "PUT", "/TrackingCategories", body={"Name": category}
            )
            categories = made["TrackingCategories"]
        if any(o["Name"].lower() == option.lower() for o in categories[0].get("Options") or []):
            return
        path = f"/TrackingCategories/{categories[0]['TrackingCategoryID']}/Options"
        self.xero.call(
            "PUT TrackingCategories/{id}/Options", "PUT", path, body={"Options": [{"Name": option}]}
        )

    def send(self, bill: Bill) -> str:
        """Look up (or create) every reference of one bill, then create it; its InvoiceID."""
        payload = {**bill.payload, "Contact": {"ContactID": self.contact_id(bill.vendor_id)}}
        for line in payload["LineItems"]:
            if line.get("ItemCode"):
                self.item(line["ItemCode"])
            for tracking in line.get("Tracking") or []:
                self.tracking_option(tracking["Name"], tracking["Option"])
        made = self.xero.call("PUT Invoices", "PUT", "/Invoices", body={"Invoices": [payload]})
        return made["Invoices"][0]["InvoiceID"].lower()


@dataclass
class ProcoreZap:
    """Xero -> Procore, one payment at a time; ``made`` = the bills the Procore -> Xero zap created."""

    xero: CountedApi
    procore: CountedApi
    made: Mapping[str, Bill]

    def payments(self) -> Iterable[dict[str, Any]]:
        """The trigger: every Xero payment, page by page."""
        page = 1
        while True:
            params = {"page": page, "pageSize": PAGE_SIZE}
            batch = self.xero.call("GET Payments (trigger)", "GET", "/Payments", params=params)["Payments"]
            yield from batch
            if len(batch) < PAGE_SIZE:
                return
            page += 1

    def send(self, payment: Mapping[str, Any]) -> bool:
        """One live bill payment: find its bill, then the Procore invoice, then post it; False if skipped."""
        if payment.get("PaymentType") != BILL_PAYMENT or payment.get("Status") == "DELETED":
            return False
        invoice_id = payment["Invoice"]["InvoiceID"]
        bill = self.xero.call("GET Invoices/{id}", "GET", f"/Invoices/{invoice_id}")["Invoices"][0]
        source = self.made.get(str(bill["InvoiceID"]).lower())
        if source is None:
            return False
        requisition = self.procore.call(
            "GET requisitions/{id}",
            "GET",
            f"/rest/v1.0/requisitions/{source.requisition_id}",
            params={"project_id": source.project_id},
        )
        reference = (payment.get("Reference") or "").strip()
        record = {
            "origin_id": str(payment["PaymentID"]).lower(),
            "contract_id": requisition["commitment_id"],
            "amount": Decimal(str(payment["Amount"])).quantize(Decimal("0.01")),
            "date": xero_date(payment["Date"]),
            "invoice_number": str(requisition.get("invoice_number") or requisition.get("number") or "")
            or None,
            "notes": reference or None,
        }
        body = {
            "project_id": int(source.project_id),
            "contract_id": record["contract_id"],
            "contract_payment": record,
        }
        self.procore.call("POST contract_payments", "POST", "/rest/v1.0/contract_payments", body=body)
        return True


def xero_date(value: str) -> str:
    """``/Date(1552262400000+0000)/`` or ISO -> ``YYYY-MM-DD``."""
    from procore_xero.mapping.inbound.lines import xero_day

    return str(xero_day(value))


def synced_bills(state: Mapping[str, Any], tenant_id: str, numbers: set[str]) -> Counter[tuple[str, ...]]:
    """The bills with the given numbers in Xero: (number, contact, currency, total, line count) each."""
    tenant = state["tenants"][tenant_id]
    names = {c["ContactID"]: c["Name"] for c in tenant["Contacts"]}
    return Counter(
        (
            i["InvoiceNumber"],
            names[i["Contact"]["ContactID"]],
            i["CurrencyCode"],
            f"{Decimal(str(i['Total'])):.2f}",
            str(len(i["LineItems"])),
        )
        for i in tenant["Invoices"]
        if i["Type"] == "ACCPAY" and i["InvoiceNumber"] in numbers and i.get("Status") != "DELETED"
    )


def payments_from_xero(state: Mapping[str, Any]) -> Counter[tuple[str, ...]]:
    """Procore payments issued made from Xero payments (origin_id a Xero GUID): every field but the id."""
    return Counter(
        (
            str(p["contract_id"]),
            f"{Decimal(str(p['amount'])):.2f}",
            str(p.get("date"))[:10],
            str(p.get("invoice_number")),
            str(p.get("notes")),
        )
        for p in state["contract_payments"]
        if made_from_xero(p) and not p.get("deleted_at")
    )


def cents(records: Counter[tuple[str, ...]], amount_at: int) -> Decimal:
    return sum((Decimal(r[amount_at]) * n for r, n in records.items()), Decimal(0))


def references(bills: Iterable[Bill]) -> dict[str, int]:
    """How many item and tracking-option references the bills' lines make (one lookup each)."""
    lines = [line for bill in bills for line in bill.payload["LineItems"]]
    return {
        "item_references": sum(1 for line in lines if line.get("ItemCode")),
        "tracking_references": sum(len(line.get("Tracking") or []) for line in lines),
    }


def api_calls(sandbox: SandboxProcess, service: str) -> int:
    """API calls the emulator served since its counters were last cleared (token requests aside), then clear
    them: the baseline's calls as the server counted them, not as the baseline says."""
    stats = sandbox.admin(service, "GET", "stats")["calls"]
    sandbox.admin(service, "DELETE", "stats")
    return sum(n for route, n in stats.items() if "token" not in route)


def run_baseline(sandbox: SandboxProcess, data: BaselineInput) -> dict[str, Any]:
    """Reset both sandboxes, run both zaps (the month end in Xero between them); calls (as the baseline
    counted them and as the emulators served them), times, records."""
    from sandbox.scenario import run_month_end
    from tools.extract_env import raise_limits

    tenant_id = sync_tenant_id(sandbox)
    sandbox.reset()
    raise_limits(sandbox)
    xero = xero_api(sandbox, tenant_id)
    started = time.perf_counter()
    outbound = XeroZap(xero, data)
    made = {outbound.send(bill): bill for bill in data.bills}
    bills_seconds = time.perf_counter() - started
    served = {"bills_xero": api_calls(sandbox, "xero")}
    run_month_end(sandbox.xero_url, tenant_id=tenant_id)
    back_xero = xero_api(sandbox, tenant_id)
    procore, _ = procore_api(sandbox)
    api_calls(sandbox, "procore")
    started = time.perf_counter()
    inbound = ProcoreZap(back_xero, procore, made)
    posted = sum(inbound.send(payment) for payment in list(inbound.payments()))
    payments_seconds = time.perf_counter() - started
    served |= {"payments_xero": api_calls(sandbox, "xero"), "payments_procore": api_calls(sandbox, "procore")}
    numbers = {b.payload["InvoiceNumber"] for b in data.bills}
    return {
        "bills": len(made),
        "bill_calls": dict(xero.calls),
        "bills_seconds": bills_seconds,
        "payments": posted,
        "payment_xero_calls": dict(back_xero.calls),
        "payment_procore_calls": dict(procore.calls),
        "payments_seconds": payments_seconds,
        "served": served,
        "shape": references(data.bills),
        "xero_bills": synced_bills(sandbox.admin("xero", "GET", "state"), tenant_id, numbers),
        "procore_payments": payments_from_xero(sandbox.admin("procore", "GET", "state")),
    }


def sync_figures(outbound: Mapping[str, Any], inbound: Mapping[str, Any]) -> dict[str, Any]:
    """The sync's calls and seconds for what the baseline covers: the bills with everything they reference
    (plus the one currencies read every run makes), and the payments issued with the Xero reads they need."""
    rerun = outbound["rerun"]
    return {
        "bills": outbound["first"]["bills"]["created"],
        "bill_calls": bill_calls(outbound),
        "fixed_calls_per_run": sum(rerun[s]["calls"] for s in BILL_STEPS) + 1,
        "bills_seconds": sum(outbound["step_seconds"][s] for s in BILL_STEPS),
        "payments": inbound["first"]["payments"]["created"],
        "payment_xero_calls": inbound["xero_extract_calls"].get("payments", 0),
        "payment_procore_calls": inbound["first"]["payments"]["calls"],
        "payments_seconds": inbound["step_seconds"]["payments"],
    }


def compare(
    sync: tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]], base: Mapping[str, Any]
) -> dict[str, Any]:
    """Counts and totals to the cent of both approaches' records, and whether every record is the same."""
    bills, payments = sync
    return {
        "bills": {"sync": sum(bills.values()), "baseline": sum(base["xero_bills"].values())},
        "bills_total": {"sync": str(cents(bills, 3)), "baseline": str(cents(base["xero_bills"], 3))},
        "payments": {"sync": sum(payments.values()), "baseline": sum(base["procore_payments"].values())},
        "payments_total": {
            "sync": str(cents(payments, 1)),
            "baseline": str(cents(base["procore_payments"], 1)),
        },
        "same_bills": bills == base["xero_bills"],
        "same_payments": payments == base["procore_payments"],
    }


def bench_baseline(
    sandbox: SandboxProcess,
    label: str,
    outbound: Mapping[str, Any],
    inbound: Mapping[str, Any],
    env: dict[str, str],
) -> tuple[list[BenchRow], dict[str, Any]]:
    """After the sync's run on ``sandbox``: its records, then the baseline's from a reset sandbox; summary
    rows ``(section, case, value, unit, detail)`` and the figures for ``out/bench.json``."""
    from tools.bench_extract import in_fresh_process

    data = in_fresh_process(baseline_input, env)
    numbers = {b.payload["InvoiceNumber"] for b in data.bills}
    sync_records = (
        synced_bills(sandbox.admin("xero", "GET", "state"), sync_tenant_id(sandbox), numbers),
        payments_from_xero(sandbox.admin("procore", "GET", "state")),
    )
    base = run_baseline(sandbox, data)
    figures = {
        "sync": sync_figures(outbound, inbound),
        "baseline": {k: v for k, v in base.items() if k not in ("xero_bills", "procore_payments")},
        "same": compare(sync_records, base),
    }
    return baseline_rows(figures, label), figures


def minutes(calls: int) -> float:
    """The least time Xero's 60 calls a minute per organisation allow for ``calls``."""
    return calls / XERO_CALLS_PER_MINUTE


def baseline_rows(figures: Mapping[str, Any], label: str) -> list[BenchRow]:
    sync, base, same = figures["sync"], figures["baseline"], figures["same"]
    base_bill_calls = sum(base["bill_calls"].values())
    base_pay_xero = sum(base["payment_xero_calls"].values())
    base_pay_procore = sum(base["payment_procore_calls"].values())
    sync_pay_calls = sync["payment_xero_calls"] + sync["payment_procore_calls"]
    agree = (
        f"bills {same['bills']['baseline']:,} = {same['bills']['sync']:,}, "
        f"total {same['bills_total']['baseline']} = {same['bills_total']['sync']}; "
        f"every bill the same: {same['same_bills']}"
    )
    agree_pay = (
        f"payments {same['payments']['baseline']:,} = {same['payments']['sync']:,}, total "
        f"{same['payments_total']['baseline']} = {same['payments_total']['sync']}; every payment the same: "
        f"{same['same_payments']}"
    )
    section = "baseline"
    return [
        (
            section,
            f"per-record bills: Xero calls, {label}",
            base_bill_calls,
            "calls",
            f"{base_bill_calls / base['bills']:.2f} per bill; sync {sync['bill_calls']:,} "
            f"({sync['bill_calls'] / sync['bills']:.3f} per bill); "
            f"ratio {base_bill_calls / sync['bill_calls']:.0f}x",
        ),
        (
            section,
            f"per-record bills: wall time, {label}",
            base["bills_seconds"],
            "s",
            f"sync {sync['bills_seconds']:.2f} s for the same bills and references; "
            f"ratio {base['bills_seconds'] / sync['bills_seconds']:.1f}x (loopback, no latency); "
            f"at Xero's 60 calls/min: {minutes(base_bill_calls):,.0f} min "
            f"vs {minutes(sync['bill_calls']):,.1f} min",
        ),
        (section, f"per-record bills: same records, {label}", float(same["same_bills"]), "bool", agree),
        (
            section,
            f"Starter tier invoices/day, per-record, {label}",
            starter_per_day(base_bill_calls, base["bills"]),
            "bills",
            "1,000 calls/day ÷ measured calls per bill",
        ),
        (
            section,
            f"Starter tier invoices/day, sync one run, {label}",
            starter_per_day(sync["bill_calls"], sync["bills"]),
            "bills",
            "all bills in one run (batches of 50)",
        ),
        (
            section,
            f"Starter tier invoices/day, sync hourly, {label}",
            starter_per_day(sync["bill_calls"], sync["bills"], sync["fixed_calls_per_run"], 24),
            "bills",
            f"24 runs/day, each {sync['fixed_calls_per_run']} fixed reads (the no-change rerun's) "
            "off the 1,000",
        ),
        (
            section,
            f"per-record payments: calls, {label}",
            base_pay_xero + base_pay_procore,
            "calls",
            f"Xero {base_pay_xero:,} + Procore {base_pay_procore:,} for {base['payments']:,} payments; sync "
            f"{sync_pay_calls:,} (Xero {sync['payment_xero_calls']}, "
            f"Procore {sync['payment_procore_calls']:,}); "
            f"ratio {(base_pay_xero + base_pay_procore) / sync_pay_calls:.1f}x",
        ),
        (
            section,
            f"per-record payments: wall time, {label}",
            base["payments_seconds"],
            "s",
            f"sync payments step {sync['payments_seconds']:.2f} s; "
            f"ratio {base['payments_seconds'] / sync['payments_seconds']:.1f}x",
        ),
        (
            section,
            f"per-record payments: same records, {label}",
            float(same["same_payments"]),
            "bool",
            agree_pay,
        ),
    ]
