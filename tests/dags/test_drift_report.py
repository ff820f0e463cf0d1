"""The nightly drift report end to end: the sync's day in the sandboxes, three drift cases seeded through
Xero's API, then ``drift_report`` mails the controller through a real SMTP server on loopback.

Seeded: a bill far over a USD cost code's budget, the same on the CAD project (in CAD), and a synced bill
edited in Xero (one SOV line +1,234.56). The figures in the mail are checked against an independent
reading of both emulators' ``/_sandbox/state`` in plain Python (no report code): Procore as staging holds
it (read before Xero -> Procore writes back, which the next extract would bring) and Xero as extracted.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from procore_xero.airflow.hooks import XeroHook
from procore_xero.mapping import load_spec
from procore_xero.mapping.spec import DEFAULT_PATH
from procore_xero.reports import write_report_files
from procore_xero.reports.links import RecordLinks
from procore_xero.staging import TenantKey, create_staging_engine
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
from sandbox.scenario import run_month_end
from tests.dags.mailbox import Mailbox, smtp_default
from tests.dags.round_trip import run
from tests.procore_state import project_currency
from tools.extract_env import load_dag, patched_environ, sandbox_now

CONTROLLER = "controller@example.com"
CENT, AMOUNT, PERCENT = Decimal("0.01"), Decimal("1000.00"), Decimal("5")
EDIT = Decimal("1234.56")
Key = tuple[str, str, str]  # Procore project id, cost code id, line item type id


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def show(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def settings_file(tmp_path: Path) -> str:
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    document["objects"]["xero_purchase_orders"]["enabled"] = True
    document["settings"]["controller_emails"] = [CONTROLLER]
    document["settings"]["from_email"] = "pxsync@example.com"
    document["settings"]["drift"]["top_findings"] = 500  # every finding in the mail, to check them there
    path = tmp_path / "drift-settings.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return str(path)


# ---- the sandbox state, read independently -------------------------------------------------------------


def live(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not r.get("deleted_at")]


def synced_projects(procore: dict[str, Any], xero: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Xero TrackingOptionID (lower case) -> the Procore project it stands for ("<job number> <name>")."""
    category = next(c for c in xero["TrackingCategories"] if c["Name"] == "Project")
    by_name = {
        f"{p['project_number']} {p['name']}"[:50]: p for p in procore["projects"] if p["project_number"]
    }
    return {
        o["TrackingOptionID"].lower(): by_name[o["Name"]] for o in category["Options"] if o["Name"] in by_name
    }


def budget_codes(procore: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(project id, Xero item code "03-300-S") -> (cost code id, line item type id)."""
    types = {t["id"]: t["code"] for t in procore["line_item_types"]}
    return {
        (str(c["biller_id"]), f"{c['full_code']}-{kind}"): (str(c["id"]), str(type_id))
        for c in live(procore["cost_codes"])
        for type_id, kind in types.items()
    }


def revised_budget(item: dict[str, Any]) -> Decimal:
    return money(item["original_budget_amount"]) + money(item["approved_budget_changes"])


def revised_budgets(procore: dict[str, Any]) -> dict[Key, Decimal]:
    project_of = project_of_records(procore)
    out: dict[Key, Decimal] = defaultdict(Decimal)
    for item in live(procore["budget_line_items"]):
        project = project_of("budget_line_items", item)
        out[(str(project), str(item["cost_code"]["id"]), str(item["line_item_type"]["id"]))] += (
            revised_budget(item)
        )
    return out


def committed_costs(procore: dict[str, Any]) -> dict[Key, Decimal]:
    """Approved / complete commitments' SOV lines plus their approved change orders' lines (which the emulator
    keeps apart: Procore does not publish them)."""
    kinds = ("work_order_contracts", "purchase_order_contracts")
    approved = {c["id"] for k in kinds for c in live(procore[k]) if c["status"] in ("Approved", "Complete")}
    orders = {
        o["id"]
        for o in live(procore["commitment_change_orders"])
        if o["status"] == "approved" and o["contract_id"] in approved
    }
    project_of = project_of_records(procore)
    out: dict[Key, Decimal] = defaultdict(Decimal)
    for li in live(procore["commitment_line_items"]):
        if li["holder"]["id"] in approved:
            key = (str(li["project"]["id"]), str(li["cost_code"]["id"]), str(li["line_item_type"]["id"]))
            out[key] += money(li["amount"])
    for li in procore["change_order_line_items"]:
        if li["change_order_id"] in orders:
            project = project_of("change_order_line_items", li)
            out[(str(project), str(li["cost_code_id"]), str(li["line_item_type_id"]))] += money(li["amount"])
    return out


def xero_actuals(
    procore: dict[str, Any], xero: dict[str, Any], projects: dict[str, dict]
) -> tuple[dict[Key, Decimal], dict[Key, Decimal]]:
    """Finalised bills and spend money lines tracked to a synced project, on a cost-code item (or account 429,
    which the settings' lookup sends to 01-100-L): in the document's currency and in USD at its own rate."""
    codes = budget_codes(procore)
    documents = [
        d for d in xero["Invoices"] if d["Type"] == "ACCPAY" and d["Status"] in ("AUTHORISED", "PAID")
    ]
    documents += [d for d in xero["BankTransactions"] if d["Type"] == "SPEND" and d["Status"] == "AUTHORISED"]
    actual: dict[Key, Decimal] = defaultdict(Decimal)
    base: dict[Key, Decimal] = defaultdict(Decimal)
    for document in documents:
        rate = Decimal(str(document.get("CurrencyRate") or 1))
        for line in document["LineItems"]:
            options = [t["TrackingOptionID"].lower() for t in line.get("Tracking") or []]
            project = next((str(projects[o]["id"]) for o in options if o in projects), None)
            item = line.get("ItemCode")
            code = codes.get((project, item)) if project and item else None
            if project and code is None and str(line.get("AccountCode")) == "429":
                code = codes.get((project, "01-100-L"))
            if code is None:
                continue
            amount = money(line["LineAmount"])
            actual[(project, *code)] += amount
            base[(project, *code)] += (amount / rate).quantize(CENT, ROUND_HALF_UP)
    return actual, base


def over_thresholds(
    figures: dict[Key, Decimal], budgets: dict[Key, Decimal], scope: set[str]
) -> dict[Key, Decimal]:
    """Codes of synced projects where the figure exceeds the revised budget by more than 1,000.00 and 5 %."""
    out = {}
    for key, figure in figures.items():
        budget, over = budgets.get(key, Decimal("0.00")), figure - budgets.get(key, Decimal("0.00"))
        if key[0] in scope and over > AMOUNT and (budget <= 0 or over * 100 > PERCENT * budget):
            out[key] = over
    return out


def billing_by_commitment(procore: dict[str, Any], xero: dict[str, Any], scope: set[str]) -> dict[str, tuple]:
    """Commitment id -> (Procore net due of approved invoices, Xero total of its live bills), the bills found
    by their reference "<job number>-<commitment number>-<invoice #>" (PO numbers are unique in Xero)."""
    projects = {p["id"]: p for p in procore["projects"]}
    kinds = ("work_order_contracts", "purchase_order_contracts")
    commitments = {c["id"]: c for k in kinds for c in live(procore[k]) if str(c["project"]["id"]) in scope}
    by_reference = {
        f"{projects[c['project']['id']]['project_number']}-{c['number']}": i for i, c in commitments.items()
    }
    procore_due: dict[Any, Decimal] = defaultdict(Decimal)
    for invoice in live(procore["requisitions"]):
        if invoice["commitment_id"] in commitments and invoice["status"] == "approved":
            procore_due[invoice["commitment_id"]] += money(invoice["summary"]["current_payment_due"])
    billed: dict[Any, Decimal] = defaultdict(Decimal)
    for bill in xero["Invoices"]:
        match = re.fullmatch(r"(.+)-(\d+)", bill.get("InvoiceNumber") or "")
        if bill["Type"] != "ACCPAY" or bill["Status"] in ("DELETED", "VOIDED") or not match:
            continue
        if match.group(1) in by_reference:
            billed[by_reference[match.group(1)]] += money(bill["Total"])
    return {str(c): (procore_due[c], billed[c]) for c in {*procore_due, *billed}}


def latest_rate(xero: dict[str, Any], currency: str) -> Decimal:
    documents = [
        d
        for d in [*xero["Invoices"], *xero["BankTransactions"]]
        if d.get("CurrencyCode") == currency and d["Status"] not in ("DELETED", "VOIDED", "DRAFT")
    ]
    newest = max(documents, key=lambda d: int(re.search(r"\d+", d["Date"]).group()))  # type: ignore[union-attr]
    return Decimal(str(newest["CurrencyRate"]))


# ---- seeding the drift cases through Xero's API ------------------------------------------------------------


def over_budget_bill(procore: dict, xero: dict, option: str, project: dict, number: int, day: date) -> dict:
    """A bill on the project's first budgeted code that has a Xero item: 10 % + 2,000.00 over its budget."""
    items = {i["Code"] for i in xero["Items"]}
    types = {t["id"]: t["code"] for t in procore["line_item_types"]}
    project_of = project_of_records(procore)
    line = next(
        b
        for b in sorted(live(procore["budget_line_items"]), key=lambda b: b["id"])
        if project_of("budget_line_items", b) == project["id"]
        and revised_budget(b) > 0
        and f"{b['cost_code']['full_code']}-{types[b['line_item_type']['id']]}" in items
        and b["cost_code"]["full_code"] != "01-100"
    )
    contact = sorted((c for c in xero["Contacts"] if not c.get("ContactNumber")), key=lambda c: c["Name"])[0]
    currency = project_currency(procore, project)
    amount = money(revised_budget(line) * Decimal("1.1") + 2000)
    return {
        "Type": "ACCPAY",
        "Contact": {"ContactID": contact["ContactID"]},
        "InvoiceNumber": f"DRIFT-{number}",
        "Status": "AUTHORISED",
        "Date": day.isoformat(),
        "DueDate": (day + timedelta(days=30)).isoformat(),
        "LineAmountTypes": "NoTax",
        "CurrencyCode": currency,
        "LineItems": [
            {
                "Description": "Unbudgeted overrun",
                "ItemCode": f"{line['cost_code']['full_code']}-{types[line['line_item_type']['id']]}",
                "AccountCode": "310",
                "Quantity": 1,
                "UnitAmount": amount,
                "Tracking": [{"Name": "Project", "Option": option}],
            }
        ],
    }


def exact(value: Any) -> Any:
    """State JSON numbers as Decimal (the client sends money exactly or not at all)."""
    return Decimal(str(value)) if isinstance(value, float) else value


def edited_bill(xero: dict, projects: dict[str, dict]) -> dict[str, Any]:
    """The first unpaid USD bill the sync created, with its first cost-code line raised by 1,234.56."""
    numbers = {c["ContactID"]: c.get("ContactNumber") for c in xero["Contacts"]}
    bill = next(
        b
        for b in sorted(xero["Invoices"], key=lambda b: b.get("InvoiceNumber") or "")
        if b["Type"] == "ACCPAY"
        and b["Status"] == "AUTHORISED"
        and money(b["AmountPaid"]) == 0
        and b.get("CurrencyCode") == "USD"
        and numbers.get(b["Contact"]["ContactID"])
        and any(
            t["TrackingOptionID"].lower() in projects
            for li in b["LineItems"]
            for t in li.get("Tracking") or []
        )
    )
    keep = (
        "LineItemID",
        "Description",
        "Quantity",
        "UnitAmount",
        "ItemCode",
        "AccountCode",
        "TaxType",
        "Tracking",
    )
    lines = [{k: exact(li[k]) for k in keep if k in li} for li in bill["LineItems"]]
    first = next(li for li in lines if li.get("ItemCode") != "RETAINAGE")
    first["UnitAmount"] += EDIT
    return {"InvoiceID": bill["InvoiceID"], "InvoiceNumber": bill["InvoiceNumber"], "LineItems": lines}


def seed_drift(sandbox: SandboxProcess, procore: dict[str, Any], tenant_id: str, day: date) -> dict[str, Any]:
    xero = sandbox.admin("xero", "GET", "state")["tenants"][tenant_id]
    projects = synced_projects(procore, xero)
    options = {
        currency: next(
            (o, p)
            for o, p in sorted(projects.items(), key=lambda item: item[1]["project_number"])
            if project_currency(procore, p) == currency
        )
        for currency in ("USD", "CAD")
    }
    names = {
        o["TrackingOptionID"].lower(): o["Name"] for c in xero["TrackingCategories"] for o in c["Options"]
    }
    bills = [
        over_budget_bill(procore, xero, names[option], project, n, day)
        for n, (option, project) in enumerate(options.values(), start=1)
    ]
    client = XeroHook().get_client()
    created = client.save("Invoices", bills, method="PUT")
    edit = edited_bill(xero, projects)
    updated = client.save(
        "Invoices", [{k: v for k, v in edit.items() if k != "InvoiceNumber"}], method="POST"
    )
    assert all(r.ok for r in [*created, *updated]), [r.errors for r in [*created, *updated]]
    return {"usd": options["USD"][1], "cad": options["CAD"][1], "edited": edit}


# ---- the test ----------------------------------------------------------------------------------------------


def by_key(rows: list[dict[str, str]], rule: str) -> dict[str, dict[str, str]]:
    return {row["key"]: row for row in rows if row["rule"] == rule}


def drift_mails(mailbox: Mailbox) -> list[tuple[list[str], Any]]:
    """The drift reports (procore_to_xero also mails the controller, about approvals)."""
    return [(to, mail) for to, mail in mailbox.messages if mail["Subject"].startswith("Procore ↔ Xero drift")]


def content(mail: Any, kind: str) -> str:
    return next(p.get_content() for p in mail.walk() if p.get_content_type() == kind)


def attachments(mail: Any) -> dict[str, Any]:
    return {p.get_filename(): p for p in mail.walk() if p.get_filename()}


def test_nightly_report_mails_the_controller_figures_that_match_the_books(
    sandbox: SandboxProcess, synced_env: str, tmp_path: Path
) -> None:
    tenant_id = sandbox.admin("xero", "GET", "credentials")["apps"][0]["tenant_ids"][0]
    day = sandbox_now(sandbox).date()
    with smtp_default() as mailbox, patched_environ({"PXSYNC_SETTINGS": settings_file(tmp_path)}):
        run("procore_to_xero", sandbox)
        procore = sandbox.admin("procore", "GET", "state")  # what staging holds of Procore from here on
        run_month_end(sandbox.xero_url)
        seeded = seed_drift(sandbox, procore, tenant_id, day)
        for dag_id in ("xero_extract", "xero_to_procore", "job_costs"):
            run(dag_id, sandbox)
        report = load_dag("drift_report").test(
            logical_date=sandbox_now(sandbox), run_conf={"date": day.isoformat()}
        )
        assert report.state == "success"
        check_mail(mailbox, procore, sandbox.admin("xero", "GET", "state")["tenants"][tenant_id], seeded, day)
        check_headline(drift_mails(mailbox)[0][1], day, sandbox)
        tenant = TenantKey(sandbox.admin("procore", "GET", "credentials")["company_id"], tenant_id)
        check_files(synced_env, tenant, tmp_path / "out", drift_mails(mailbox)[0][1], day, sandbox)
        next_day = (day + timedelta(days=1)).isoformat()
        again = load_dag("drift_report").test(logical_date=sandbox_now(sandbox), run_conf={"date": next_day})
        assert again.state == "success" and len(drift_mails(mailbox)) == 2
        (_, second) = drift_mails(mailbox)[1]
        assert f"New since the last report: 0 (since {day.isoformat()})" in content(second, "text/plain")


def check_mail(mailbox: Mailbox, procore: dict, xero: dict, seeded: dict[str, Any], day: date) -> None:
    ((recipients, mail),) = drift_mails(mailbox)
    assert recipients == [CONTROLLER] and mail["To"] == CONTROLLER
    assert mail["Subject"].startswith(f"Procore ↔ Xero drift {day.isoformat()}: ")
    html, text = content(mail, "text/html"), content(mail, "text/plain")
    files = attachments(mail)
    chart = files[f"drift-chart-{day.isoformat()}.png"]
    assert chart["Content-ID"].strip("<>") in html and "<script" not in html.lower()
    assert Image.open(io.BytesIO(chart.get_content())).size[0] == 1000
    findings = list(csv.DictReader(io.StringIO(files[f"drift-findings-{day.isoformat()}.csv"].get_content())))
    budget_rows = list(
        csv.DictReader(io.StringIO(files[f"budget-vs-actuals-{day.isoformat()}.csv"].get_content()))
    )
    assert "/required_actions?response_received=false" in html and "Drift at stake" in text

    projects = synced_projects(procore, xero)
    scope = {str(p["id"]) for p in projects.values()}
    budgets = revised_budgets(procore)
    actual, actual_base = xero_actuals(procore, xero, projects)

    # Every cost code over budget (actual or committed), and nothing else, with its figures.
    for rule, figures in (("over_budget", actual), ("committed_over_budget", committed_costs(procore))):
        expected = over_thresholds(figures, budgets, scope)
        found = by_key(findings, rule)
        assert set(found) == {f"{rule}:{':'.join(key)}" for key in expected}, rule
        for key, over in expected.items():
            row = found[f"{rule}:{':'.join(key)}"]
            assert (Decimal(row["baseline"]), Decimal(row["amount"]), Decimal(row["difference"])) == (
                budgets.get(key, Decimal("0.00")),
                figures[key],
                over,
            )
            assert show(over) in html and show(over) in text

    # The seeded over-budget codes, USD and CAD, are among them; the CAD one converted at Xero's rate.
    over = by_key(findings, "over_budget")
    for name in ("usd", "cad"):
        project = str(seeded[name]["id"])
        mine = [row for key, row in over.items() if key.split(":")[1] == project]
        assert mine and all(row["currency"] == project_currency(procore, seeded[name]) for row in mine)
    cad = next(row for key, row in over.items() if key.split(":")[1] == str(seeded["cad"]["id"]))
    rate = latest_rate(xero, "CAD")
    assert Decimal(cad["at_stake_base"]) == (Decimal(cad["at_stake"]) / rate).quantize(CENT, ROUND_HALF_UP)
    cad_key = tuple(cad["key"].split(":")[1:])
    cad_code = code_label(procore, cad_key)
    (cad_row,) = [r for r in budget_rows if (r["project"], r["cost_code"], r["cost_type"]) == cad_code]
    assert (cad_row["currency"], Decimal(cad_row["xero_actual"])) == ("CAD", actual[cad_key])
    assert Decimal(cad_row["xero_actual_base"]) == actual_base[cad_key]

    # Procore invoiced vs Xero billed, per commitment, to the cent; the edited bill is one of them.
    billing = billing_by_commitment(procore, xero, scope)
    differing = {c: figures for c, figures in billing.items() if figures[0] != figures[1]}
    found = by_key(findings, "billed_differently")
    assert set(found) == {f"billed_differently:{c}" for c in differing}
    for commitment, (procore_due, billed) in differing.items():
        row = found[f"billed_differently:{commitment}"]
        assert (Decimal(row["baseline"]), Decimal(row["amount"])) == (procore_due, billed)
    edited = seeded["edited"]
    requisition = edited_requisition(procore, edited["InvoiceNumber"], xero)
    (row,) = [r for r in findings if r["key"] == f"edited_in_xero:requisitions:{requisition['id']}"]
    total = next(b for b in xero["Invoices"] if b["InvoiceID"] == edited["InvoiceID"])["Total"]
    assert Decimal(row["amount"]) == money(total)
    assert Decimal(row["amount"]) - Decimal(row["baseline"]) == EDIT
    assert edited["InvoiceNumber"] in html and show(Decimal(row["amount"])) in html

    # Project totals in the mail are the sums of the budget rows, and Procore's own budget.
    for project in (seeded["usd"], seeded["cad"]):
        label = f"{project['project_number']} {project['name']}"
        revised = sum((v for k, v in budgets.items() if k[0] == str(project["id"])), Decimal("0.00"))
        rows = [r for r in budget_rows if r["project"] == label]
        assert sum(Decimal(r["revised_budget"]) for r in rows) == revised
        assert f">{show(revised)}<" in html and label in html


def headline_value(text: str, label: str) -> str:
    """A headline figure of the plain-text part: ``<label>: <value>  (<what it counts>)``."""
    found = re.search(rf"^{re.escape(label)}: (.+?)  \(", text, re.MULTILINE)
    assert found, label
    return found.group(1)


def amount(shown: str) -> Decimal:
    return Decimal(shown.split(" ")[-1].replace(",", ""))


def check_headline(mail: Any, day: date, sandbox: SandboxProcess) -> None:
    """Every headline figure re-adds, to the cent, from the tables it summarises: the findings CSV and the
    projects table; each finding links to its record on the sandboxes' hosts."""
    text, html = content(mail, "text/plain"), content(mail, "text/html")
    rows = list(
        csv.DictReader(io.StringIO(attachments(mail)[f"drift-findings-{day.isoformat()}.csv"].get_content()))
    )
    queued = [row for row in rows if row["rule"] == "waiting_in_queue"]
    largest: dict[str, Decimal] = {}
    for row in rows:
        if row["rule"] != "waiting_in_queue":
            largest[row["entity"]] = max(
                largest.get(row["entity"], Decimal(0)), Decimal(row["at_stake_base"])
            )
    assert headline_value(text, "Findings") == str(len(rows))
    assert amount(headline_value(text, "Drift at stake")) == sum(largest.values(), Decimal("0.00"))
    assert amount(headline_value(text, "Held in the exception queue")) == sum(
        (Decimal(row["at_stake_base"]) for row in queued), Decimal("0.00")
    )
    in_drift = {row["project"] for row in rows if row["project"]}
    flagged = [line for line in text.splitlines() if line.startswith("! ")]  # the projects table's marks
    assert headline_value(text, "Projects in drift").split(" ")[0] == str(len(in_drift)) == str(len(flagged))
    waiting = headline_value(text, "Waiting in the exception queue")
    assert waiting.split(" ")[0] == str(len(queued))
    assert "held" not in headline_value(text, "Drift at stake")
    procore_web, xero_web = sandbox.procore_url, sandbox.xero_url  # loopback hosts serve their own pages
    assert all(
        row["procore_link"].startswith(procore_web + "/")
        for row in rows
        if row["rule"] != "waiting_in_queue" and row["project"]
    )
    assert any(
        row["xero_link"].startswith(xero_web + "/AccountsPayable/View.aspx?InvoiceID=") for row in rows
    )
    assert f'href="{procore_web}/' in html


def check_files(
    staging_url: str, tenant: TenantKey, out: Path, mail: Any, day: date, sandbox: SandboxProcess
) -> None:
    """What ``make demo`` writes is the message that was sent: same subject, same findings CSV."""
    files = write_report_files(
        create_staging_engine(staging_url),
        tenant,
        load_spec(),
        out,
        report_date=day,
        links=RecordLinks.from_api_hosts(sandbox.procore_url, sandbox.xero_url),
    )
    assert all(path.is_file() and path.stat().st_size for path in files.paths())
    written = message_from_bytes(files.eml.read_bytes(), policy=policy.default)
    assert written["Subject"] == mail["Subject"]
    name = f"drift-findings-{day.isoformat()}.csv"
    sent = attachments(mail)[name].get_content().splitlines()
    assert attachments(written)[name].get_content().splitlines() == sent
    assert files.findings_csv.read_text(encoding="utf-8").splitlines() == sent
    assert 'src="drift-chart-' in files.html.read_text(encoding="utf-8")


def code_label(procore: dict, key: tuple[str, ...]) -> tuple[str, str, str]:
    """(project label, cost code, cost type) of a budget key, as the budget CSV names it."""
    project = next(p for p in procore["projects"] if str(p["id"]) == key[0])
    code = next(c for c in procore["cost_codes"] if str(c["id"]) == key[1])
    kind = next(t for t in procore["line_item_types"] if str(t["id"]) == key[2])
    return f"{project['project_number']} {project['name']}", code["full_code"], kind["code"]


def edited_requisition(procore: dict, invoice_number: str, xero: dict) -> dict[str, Any]:
    """The Procore invoice behind a bill reference "<job number>-<commitment number>-<invoice #>"."""
    reference, number = invoice_number.rsplit("-", 1)
    projects = {p["id"]: p for p in procore["projects"]}
    kinds = ("work_order_contracts", "purchase_order_contracts")
    commitment = next(
        c
        for k in kinds
        for c in procore[k]
        if f"{projects[c['project']['id']]['project_number']}-{c['number']}" == reference
    )
    return next(
        r
        for r in procore["requisitions"]
        if r["commitment_id"] == commitment["id"] and r["number"] == int(number)
    )


def test_a_failed_run_mails_the_controller_instead_of_a_stale_report(
    sandbox: SandboxProcess, airflow_env: str, tmp_path: Path
) -> None:
    """Broken thresholds in the settings fail the task; its failure callback mails the controller."""
    path = Path(settings_file(tmp_path))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["settings"]["drift"]["percent"] = "5.000001"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    dag = load_dag("drift_report")
    dag.task_dict["drift_report"].retries = 0  # the callback fires after the last try
    with smtp_default() as mailbox, patched_environ({"PXSYNC_SETTINGS": str(path)}):
        run = dag.test(logical_date=sandbox_now(sandbox), run_conf={"date": "2026-11-02"})
    assert run.state == "failed"
    ((recipients, mail),) = mailbox.messages
    assert recipients == [CONTROLLER]
    assert mail["Subject"] == "Procore ↔ Xero drift report 2026-11-02: the run failed"
    body = content(mail, "text/plain")
    assert "4 decimals" in body and f"/dags/drift_report/runs/{run.run_id}/tasks/drift_report" in body
