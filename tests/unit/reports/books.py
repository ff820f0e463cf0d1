"""A hand-made staged state for the report's unit tests: two synced projects (USD, CAD), one not synced.

Every amount is chosen so the expected figures can be added up by hand in the tests:

* 25-101 Alpha (USD) code 03-300-S: revised 10,500.00, committed 9,000 + CCO 2,000 = 11,000.00, Procore
  invoiced 4,000 + 1,000 = 5,000.00 (retainage 400 + 100), Xero actual 12,000.00 -> 1,500.00 over (14.3 %).
* 25-101 Alpha code 05-100-M: revised 20,000.00, Xero actual 20,999.99 -> 999.99 over: below 1,000.
* 25-102 Beta (CAD, rate 1.35) code 03-300-S: revised 50,000.00, actual 56,000.00 -> 6,000.00 over
  (12 %), USD 4,444.44 at stake.
* Commitment SC-001 on Alpha: Procore net due 3,600 + 900 = 4,500.00; Xero bills 3,600.00 (paid) + 950.00
  (edited in Xero after the sync) = 4,550.00 -> 50.00 billed differently.
* Commitment SC-002 on Beta: 9,000.00 on both sides.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pandas as pd
import yaml

from procore_xero.mapping.settings import Settings
from procore_xero.mapping.spec import DEFAULT_PATH, spec_from_document
from procore_xero.mapping.staged import records_frame
from procore_xero.reports.inputs import DriftInputs
from procore_xero.staging import ExceptionStatus, Problem, QueuedException, TenantKey
from procore_xero.staging.id_map import Mapping as Link

TENANT = TenantKey(7, "tenant-1")
SYNCED_AT = datetime(2026, 10, 1, tzinfo=UTC)


def settings_with(section: dict[str, Any]) -> Settings:
    """The shipped settings with ``section`` (part of ``settings:``) merged over them, as a tenant's
    overrides are."""
    shipped = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    return spec_from_document(shipped, {"settings": section}).settings


SETTINGS_SECTION: dict[str, Any] = {
    "controller_emails": ["controller@example.com"],
    "from_email": "pxsync@example.com",
    "drift": {"amount": "1000.00", "percent": "5", "top_findings": 10},
}
SETTINGS = settings_with(SETTINGS_SECTION)
ALPHA, BETA, GAMMA = 10, 20, 30
CONCRETE, STEEL = 100, 101
SUB, MAT = 1, 2


def xero_date(moment: datetime) -> str:
    return f"/Date({int(moment.timestamp() * 1000)}+0000)/"


def project(pid: int, number: str, name: str, stage: str | None = "Send to Xero") -> dict[str, Any]:
    return {
        "id": pid,
        "project_number": number,
        "name": name,
        "project_stage": {"name": stage} if stage else None,
        "company": {"id": 7, "name": "Test Builders"},
    }


def prime_contract(pid: int, currency: str) -> dict[str, Any]:
    """A project's owner contract: where Procore publishes the project's currency."""
    return {"id": pid * 100, "project_id": pid, "currency_configuration": {"currency_iso_code": currency}}


def budget_row(pid: int, code: int, kind: int, original: str, revised: str, committed: str) -> dict[str, Any]:
    """A detail row of the project's budget view: its columns as the standard view names them, strings."""
    return {
        "id": pid * 1000 + code * 10 + kind,
        "project_id": pid,
        "cost_code_id": code,
        "category_id": kind,
        "Original Budget Amount": original,
        "Revised Budget": revised,
        "Committed Costs": committed,
        "Direct Costs": "0.00",
        "Job to Date Costs": "0.00",
    }


def line(contract: int, pid: int, code: int, kind: int, amount: str) -> dict[str, Any]:
    return {
        "id": contract * 10 + code,
        "holder": {"id": contract, "holder_type": "WorkOrderContract"},
        "project": {"id": pid},
        "cost_code": {"id": code},
        "line_item_type": {"id": kind},
        "amount": D(amount),
    }


def invoice(rid: int, contract: int, pid: int, status: str, work: str, retained: str, due: str) -> dict:
    return {
        "id": rid,
        "commitment_id": contract,
        "project_id": pid,
        "status": status,
        "invoice_number": f"INV-{rid}",
        "updated_at": "2026-09-01T00:00:00Z",
        "items": [  # as Procore publishes them: amounts as strings, the cost type only via the SOV line
            {
                "cost_code_id": CONCRETE,
                "line_item_id": contract * 10 + CONCRETE,
                "work_completed_this_period": work,
                "materials_presently_stored": "0.00",
                "materials_presently_stored_from_previous_progress": "0.00",
                "work_completed_retainage_retained_this_period": retained,
                "work_completed_retainage_released_this_period": "0.00",
            }
        ],
        "summary": {"current_payment_due": due},
    }


def bill(bid: str, total: str, paid: str, currency: str, rate: str, updated: datetime) -> dict[str, Any]:
    return {
        "InvoiceID": bid,
        "InvoiceNumber": f"B-{bid}",
        "Type": "ACCPAY",
        "Status": "PAID" if D(paid) == D(total) else "AUTHORISED",
        "Total": D(total),
        "AmountPaid": D(paid),
        "CurrencyCode": currency,
        "CurrencyRate": D(rate),
        "Date": xero_date(datetime(2026, 9, 1, tzinfo=UTC)),
        "UpdatedDateUTC": xero_date(updated),
    }


def job_cost(pid: int, code: int, kind: int, jtd: str, base: str, currency: str) -> dict[str, Any]:
    return {
        "project_id": pid,
        "cost_code_id": code,
        "line_item_type_id": kind,
        "cost_code": {CONCRETE: "03-300", STEEL: "05-100"}[code],
        "cost_type": {SUB: "S", MAT: "M"}[kind],
        "currency": currency,
        "base_currency": "USD",
        "jtd_cost": D(jtd),
        "commitment_invoiced": D(jtd),
        "direct_costs": D("0.00"),
        "jtd_cost_base": D(base),
        "computed_at": pd.Timestamp("2026-11-20T02:00:00Z"),
    }


def queued(
    eid: int, system: str, object_type: str, source_id: str, reason: str, values: dict
) -> QueuedException:
    return QueuedException(
        id=eid,
        problem=Problem(TENANT, system, object_type, source_id, reason),
        source_label=f"Record {source_id}",
        message=f"Record {source_id}: {reason}",
        details={"values": values},
        status=ExceptionStatus.OPEN,
        occurrences=1,
        created_at=SYNCED_AT,
        last_seen_at=SYNCED_AT,
        decided_by=None,
        decided_at=None,
        run_id=None,
    )


def link(source: str, target: str) -> Link:
    return Link(source, target, "hash", SYNCED_AT, SYNCED_AT)


def books(**replace: Any) -> DriftInputs:
    """The state described in the module docstring; ``replace`` swaps any ``DriftInputs`` field."""
    procore = {
        "projects": [
            project(ALPHA, "25-101", "Alpha"),
            project(BETA, "25-102", "Beta"),
            project(GAMMA, "25-103", "Gamma", None),
        ],
        "prime_contracts": [
            prime_contract(ALPHA, "USD"),
            prime_contract(BETA, "CAD"),
            prime_contract(GAMMA, "USD"),
        ],
        "cost_codes": [
            {"id": CONCRETE, "full_code": "03-300", "name": "Concrete"},
            {"id": STEEL, "full_code": "05-100", "name": "Steel"},
        ],
        "line_item_types": [
            {"id": SUB, "code": "S", "name": "Subcontract"},
            {"id": MAT, "code": "M", "name": "Materials"},
        ],
        # Committed as Procore counts it: SC-001 9,000.00 + its approved change order 2,000.00 on Alpha's
        # concrete (SC-003 is a draft, the 5,555.00 order pending); SC-002 40,000.00 on Beta's.
        "budget_view_detail_rows": [
            budget_row(ALPHA, CONCRETE, SUB, "10000.00", "10500.00", "11000.00"),
            budget_row(ALPHA, STEEL, MAT, "20000.00", "20000.00", "0.00"),
            budget_row(BETA, CONCRETE, SUB, "50000.00", "50000.00", "40000.00"),
            budget_row(GAMMA, CONCRETE, SUB, "1000.00", "1000.00", "0.00"),
        ],
        "commitments": [
            {
                "id": 501,
                "number": "SC-001",
                "status": "Approved",
                "kind": "work_order_contracts",
                "vendor": {"company": "=Evil Concrete"},
                "project": {"id": ALPHA},
            },
            {
                "id": 502,
                "number": "SC-002",
                "status": "Approved",
                "kind": "work_order_contracts",
                "vendor": {"company": "Beta Concrete"},
                "project": {"id": BETA},
            },
            {
                "id": 503,
                "number": "SC-003",
                "status": "Draft",
                "kind": "work_order_contracts",
                "vendor": {"company": "Draft Co"},
                "project": {"id": ALPHA},
            },
        ],
        "commitment_line_items": [
            line(501, ALPHA, CONCRETE, SUB, "9000.00"),
            line(502, BETA, CONCRETE, SUB, "40000.00"),
            line(503, ALPHA, CONCRETE, SUB, "77777.00"),
        ],
        "commitment_change_orders": [
            {"id": 601, "contract_id": 501, "status": "approved", "grand_total": "2000.00"},
            {"id": 602, "contract_id": 501, "status": "pending", "grand_total": "5555.00"},
        ],
        "requisitions": [
            invoice(701, 501, ALPHA, "approved", "4000.00", "400.00", "3600.00"),
            invoice(702, 501, ALPHA, "approved", "1000.00", "100.00", "900.00"),
            invoice(703, 502, BETA, "approved", "10000.00", "1000.00", "9000.00"),
            invoice(704, 501, ALPHA, "under_review", "3000.00", "300.00", "2700.00"),
        ],
    }
    later = datetime(2026, 10, 5, tzinfo=UTC)
    xero = {
        "invoices": [
            bill("b1", "3600.00", "3600.00", "USD", "1", later),
            bill("b2", "950.00", "0.00", "USD", "1", later),
            bill("b3", "9000.00", "0.00", "CAD", "1.35", SYNCED_AT),
        ],
        "payments": [{"Invoice": {"InvoiceID": "b1"}, "UpdatedDateUTC": xero_date(later)}],
        "purchase_orders": [],
        "bank_transactions": [],
    }
    fields: dict[str, Any] = {
        "tenant": TENANT,
        "procore": {name: records_frame(rows) for name, rows in procore.items()},
        "xero": {name: records_frame(rows) for name, rows in xero.items()},
        "job_costs": pd.DataFrame(
            [
                job_cost(ALPHA, CONCRETE, SUB, "12000.00", "12000.00", "USD"),
                job_cost(ALPHA, STEEL, MAT, "20999.99", "20999.99", "USD"),
                job_cost(BETA, CONCRETE, SUB, "56000.00", "41481.48", "CAD"),
            ]
        ),
        "project_options": {str(ALPHA): "opt-a", str(BETA): "opt-b"},
        "bill_links": {"701": link("701", "b1"), "702": link("702", "b2"), "703": link("703", "b3")},
        "po_links": {},
        "exceptions": (
            queued(
                1,
                "procore",
                "work_order_contracts",
                "501",
                "po_above_remaining_budget",
                {"total": D("11000.00"), "remaining_budget": D("10500.00")},
            ),
            queued(2, "xero", "bank_transactions", "bt-1", "unmapped_cost_code", {"unmapped_lines": 1}),
            # none on Gamma: the sync closes what was queued on a project out of scope (``sync.scope``)
        ),
        "record_projects": {
            ("procore", "work_order_contracts", "501"): str(ALPHA),
            ("xero", "bank_transactions", "bt-1"): str(BETA),
        },
        "base_currency": "USD",
        "figures_at": datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
    }
    fields.update(replace)
    return DriftInputs(**fields)
