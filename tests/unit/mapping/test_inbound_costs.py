"""Bills and spend money entered in Xero -> Procore direct costs, and the nightly job-cost figures."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pandas as pd

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.inbound.direct_costs import transform_direct_costs, xero_cost_documents
from procore_xero.mapping.inbound.job_costs import FIGURES, KEY, job_cost_figures, other_currency_lines
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import document_lines
from procore_xero.to_procore.loader import procore_writes
from tests.unit.mapping.xero_records import CODER, xero_line

SPEC = load_spec()
NOV_19 = "/Date(1763510400000+0000)/"  # 2025-11-19T00:00:00Z
KNOWN = KnownInProcore(
    project_by_option={"opt-7": "7", "opt-8": "8"},
    requisition_by_bill={"bill-sync": "501"},
    vendor_by_contact={"c-acme": "55"},
    made_by_sync=frozenset({"bill-made", "spend-made"}),
    base_currency="USD",
)
PROJECT_CURRENCIES = {"7": "USD", "8": "CAD"}


def _bill(doc_id: str, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "InvoiceID": doc_id,
        "Type": "ACCPAY",
        "Status": "AUTHORISED",
        "InvoiceNumber": f"B-{doc_id}",
        "Contact": {"ContactID": "c-acme", "Name": "Acme"},
        "Date": NOV_19,
        "CurrencyCode": "USD",
        "CurrencyRate": 1.0,
        "LineItems": lines,
        **fields,
    }


def _spend(doc_id: str, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "BankTransactionID": doc_id,
        "Type": "SPEND",
        "Status": "AUTHORISED",
        "Reference": f"DEBIT {doc_id}",
        "Contact": {"ContactID": "c-acme", "Name": "Acme"},
        "Date": NOV_19,
        "CurrencyCode": "USD",
        "CurrencyRate": 1.0,
        "LineItems": lines,
        **fields,
    }


BILLS = records_frame(
    [
        _bill("bill-sync", [xero_line("03-300-M", "310", 1000, "opt-7")]),  # from a Procore invoice
        _bill("bill-made", [xero_line("03-300-M", "310", 1, "opt-7")]),  # anything else the sync wrote
        _bill(
            "bill-a",
            [
                xero_line("03-300-M", "310", 100, "opt-7", Quantity=2, UnitAmount=50),
                xero_line("03-300-M", "310", 40, "opt-8"),
                xero_line("99-999-X", "500", 5, "opt-7"),  # no budget code
                xero_line("03-300-L", "310", 3, None),  # not tracked to a project
            ],
            CurrencyCode="CAD",
            CurrencyRate=1.35,
            Contact={"ContactID": "c-new", "Name": "New Supplier"},
        ),
        _bill("bill-void", [xero_line(None, "429", 60, "opt-7")], Status="VOIDED"),
        _bill("bill-paid", [xero_line("03-300-L", "310", 25.5, "opt-8")], Status="PAID"),
        _bill("bill-overhead", [xero_line(None, "429", 60, None)]),  # no project: nothing for Procore
        _bill("sales-1", [xero_line("03-300-M", "200", 1, "opt-7")], Type="ACCREC"),
    ]
)
SPEND = records_frame(
    [
        _spend("spend-1", [xero_line(None, "429", 12.5, "opt-7")], Reference=" DEBIT 42 "),
        _spend("spend-made", [xero_line(None, "429", 1, "opt-7")]),
        _spend("receive-1", [xero_line(None, "429", 1, "opt-7")], Type="RECEIVE"),
    ]
)


def _direct_costs() -> pd.DataFrame:
    documents = xero_cost_documents(BILLS, SPEND, KNOWN)
    lines = {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()}
    return transform_direct_costs(documents, lines, PROJECT_CURRENCIES, KNOWN, SPEC)


def test_cost_documents_leave_out_what_the_sync_wrote_and_other_types() -> None:
    documents = xero_cost_documents(BILLS, SPEND, KNOWN)
    assert sorted(documents) == ["xero/bank_transactions", "xero/invoices"]
    assert documents["xero/invoices"]["InvoiceID"].tolist() == [
        "bill-a",
        "bill-void",
        "bill-paid",
        "bill-overhead",
    ]
    assert documents["xero/bank_transactions"]["BankTransactionID"].tolist() == ["spend-1"]
    upper = records_frame([_bill("BILL-SYNC", []), _bill("Bill-Made", [])])
    assert xero_cost_documents(upper, records_frame([]), KNOWN)["xero/invoices"].empty
    assert xero_cost_documents(BILLS, pd.DataFrame(), KNOWN)["xero/bank_transactions"].empty


def test_direct_costs_one_per_document_and_project() -> None:
    frame = _direct_costs()
    assert frame["source_id"].tolist() == ["bill-a:7", "bill-a:8", "bill-void", "bill-paid", "spend-1"]
    assert frame["source_type"].tolist() == ["xero/invoices"] * 4 + ["xero/bank_transactions"]
    assert set(frame["target_type"]) == {"direct_costs"}
    assert frame["project_id"].tolist() == ["7", "8", "7", "8", "7"]
    assert frame["direct_cost_type"].tolist() == ["invoice", "invoice", "invoice", "invoice", "expense"]
    assert frame["action"].tolist() == ["upsert", "upsert", "delete", "upsert", "upsert"]
    # The unmapped line counts in the total (validation holds the record) but is no Procore line.
    assert frame["total"].tolist() == [D("105.00"), D("40.00"), D("60.00"), D("25.50"), D("12.50")]
    assert frame["unmapped_lines"].tolist() == [1, 0, 0, 0, 0]
    assert frame["currency"].tolist() == ["CAD", "CAD", "USD", "USD", "USD"]
    assert frame["project_currency"].tolist() == ["USD", "CAD", "USD", "CAD", "USD"]
    assert frame["currency_matches"].tolist() == [False, True, True, False, True]
    assert frame["vendor_linked"].tolist() == [False, False, True, True, True]
    assert frame["natural_key"].tolist() == [{"origin_id": s} for s in frame["source_id"]]
    assert frame["label"].tolist()[:2] == [
        "Bill B-bill-a from New Supplier (CAD 105.00)",
        "Bill B-bill-a from New Supplier (CAD 40.00)",
    ]


def test_direct_cost_payloads_carry_coded_lines_and_an_integer_vendor() -> None:
    frame = _direct_costs()
    payloads = frame["payload"].tolist()
    assert payloads[0] == {
        "origin_id": "bill-a:7",
        "direct_cost_type": "invoice",
        "direct_cost_date": "2025-11-19",
        "status": "approved",
        "invoice_number": "B-bill-a",
        "description": "Bill in Xero: B-bill-a",
        "line_items": [
            {
                "cost_code_id": 100,
                "line_item_type_id": 1,
                "description": "03-300-M 100",
                "quantity": D("2"),
                "unit_cost": D("50"),
                "amount": D("100.00"),
            }
        ],
    }
    assert payloads[1]["line_items"] == [
        {
            "cost_code_id": 200,
            "line_item_type_id": 1,
            "description": "03-300-M 40",
            "quantity": D("1"),
            "unit_cost": D("40"),
            "amount": D("40.00"),
        }
    ]
    spend = payloads[4]
    assert spend["vendor_id"] == 55 and type(spend["vendor_id"]) is int
    assert (spend["direct_cost_type"], spend["invoice_number"]) == ("expense", "DEBIT 42")
    assert spend["line_items"] == [
        {
            "cost_code_id": 101,
            "line_item_type_id": 2,
            "description": "429 12.5",
            "quantity": D("1"),
            "unit_cost": D("12.5"),
            "amount": D("12.50"),
        }
    ]
    assert [payload.get("vendor_id") for payload in payloads] == [None, None, 55, 55, 55]  # c-new: not linked


def test_project_without_a_known_currency_is_in_the_base_currency() -> None:
    documents = xero_cost_documents(BILLS, SPEND, KNOWN)
    lines = {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()}
    frame = transform_direct_costs(documents, lines, {}, KNOWN, SPEC)
    assert frame["project_currency"].tolist() == ["USD"] * 5
    assert frame["currency_matches"].tolist() == [False, False, True, True, True]


def test_a_deleted_bill_reverses_its_direct_cost() -> None:
    bills = records_frame([_bill("bill-del", [xero_line(None, "429", 60, "opt-7")], Status="DELETED")])
    documents = xero_cost_documents(bills, records_frame([]), KNOWN)
    lines = {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()}
    frame = transform_direct_costs(documents, lines, PROJECT_CURRENCIES, KNOWN, SPEC)
    assert frame[["source_id", "action"]].to_dict("records") == [
        {"source_id": "bill-del", "action": "delete"}
    ]


def test_no_documents_no_direct_costs() -> None:
    documents = xero_cost_documents(records_frame([]), records_frame([]), KNOWN)
    lines = {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()}
    frame = transform_direct_costs(documents, lines, PROJECT_CURRENCIES, KNOWN, SPEC)
    assert frame.empty and "currency_matches" in frame.columns


def test_direct_cost_writes_per_project() -> None:
    writes = procore_writes(_direct_costs())
    assert [(w.record.source_id, w.action, w.project_id, w.link_to) for w in writes] == [
        ("bill-a:7", "upsert", "7", None),
        ("bill-a:8", "upsert", "8", None),
        ("bill-void", "delete", "7", None),
        ("bill-paid", "upsert", "8", None),
        ("spend-1", "upsert", "7", None),
    ]
    assert {w.record.source_type for w in writes} == {"xero/invoices", "xero/bank_transactions"}


# ---- job-cost figures ----------------------------------------------------------------------------------


ALL_CAD = {"7": "CAD", "8": "CAD"}  # the currency of every document of ``_cost_lines``


def _cost_lines() -> pd.DataFrame:
    bills = records_frame(
        [
            _bill(
                "bill-sync",
                [xero_line("03-300-M", "310", 1000, "opt-7"), xero_line("RETAINAGE", "820", -100, "opt-7")],
                CurrencyCode="CAD",
                CurrencyRate=1.35,
            ),
            _bill(
                "bill-a",
                [
                    xero_line("03-300-M", "310", 100, "opt-7"),
                    xero_line("03-300-M", "310", 40, "opt-8"),
                    xero_line("99-999-X", "500", 5, "opt-7"),  # no budget code: waits as a direct cost
                    xero_line("03-300-M", "310", 3, None),  # not tracked: overhead
                ],
                CurrencyCode="CAD",
                CurrencyRate=1.35,
            ),
        ]
    )
    spend = records_frame(
        [
            _spend(
                "spend-1",
                [xero_line(None, "429", 12.5, "opt-7"), xero_line("03-300-M", "310", 0.01, "opt-7")],
                CurrencyCode="CAD",
                CurrencyRate=1.35,
            )
        ]
    )
    return pd.concat(
        [document_lines(bills, KNOWN, CODER), document_lines(spend, KNOWN, CODER)], ignore_index=True
    )


def test_job_cost_figures_per_budget_code() -> None:
    frame = job_cost_figures(_cost_lines(), frozenset(KNOWN.requisition_by_bill), ALL_CAD, "USD")
    assert frame.columns.tolist() == [*KEY, *FIGURES]
    assert frame.to_dict("records") == [
        {
            "project_id": "7",
            "cost_code_id": "100",
            "line_item_type_id": "1",
            "cost_code": "03-300",
            "cost_type": "M",
            # 1000.00 from the synced bill + 100.00 + 0.01 entered in Xero; retainage is no cost
            "jtd_cost": D("1100.01"),
            "commitment_invoiced": D("1000.00"),
            "direct_costs": D("100.01"),
            # per line at the document's rate, then summed: 740.74 + 74.07 + 0.01
            "jtd_cost_base": D("814.82"),
            "commitment_invoiced_base": D("740.74"),
            "direct_costs_base": D("74.08"),
        },
        {
            "project_id": "7",
            "cost_code_id": "101",
            "line_item_type_id": "2",
            "cost_code": "01-100",
            "cost_type": "L",
            "jtd_cost": D("12.50"),
            "commitment_invoiced": D("0.00"),
            "direct_costs": D("12.50"),
            "jtd_cost_base": D("9.26"),
            "commitment_invoiced_base": D("0.00"),
            "direct_costs_base": D("9.26"),
        },
        {
            "project_id": "8",
            "cost_code_id": "200",
            "line_item_type_id": "1",
            "cost_code": "03-300",
            "cost_type": "M",
            "jtd_cost": D("40.00"),
            "commitment_invoiced": D("0.00"),
            "direct_costs": D("40.00"),
            "jtd_cost_base": D("29.63"),
            "commitment_invoiced_base": D("0.00"),
            "direct_costs_base": D("29.63"),
        },
    ]
    assert [str(v) for v in frame["commitment_invoiced"]] == ["1000.00", "0.00", "0.00"]


def test_job_cost_figures_without_commitment_bills_are_all_direct_costs() -> None:
    frame = job_cost_figures(_cost_lines(), frozenset(), ALL_CAD, "USD")
    assert (
        frame["jtd_cost"].tolist() == frame["direct_costs"].tolist() == [D("1100.01"), D("12.50"), D("40.00")]
    )
    assert frame["commitment_invoiced_base"].tolist() == [D("0.00")] * 3


def test_job_cost_figures_of_nothing_coded_are_empty() -> None:
    lines = _cost_lines()
    uncoded = lines[~lines["mapped"].astype(bool)]
    assert len(uncoded) == 3  # retainage, no budget code, not tracked
    for frame in (uncoded, document_lines(pd.DataFrame(), KNOWN, CODER)):
        figures = job_cost_figures(frame, frozenset({"bill-sync"}), ALL_CAD, "USD")
        assert figures.empty and figures.columns.tolist() == [*KEY, *FIGURES]


def test_a_usd_spend_held_as_currency_mismatch_is_no_eur_job_cost() -> None:
    """Project 8 is in EUR: a USD 95.00 spend on it waits as ``currency_mismatch`` and is no EUR 95.00."""
    spend = records_frame(
        [
            _spend("spend-usd", [xero_line("03-300-M", "310", 95, "opt-8")]),
            _spend(
                "spend-eur", [xero_line("03-300-M", "310", 40, "opt-8")], CurrencyCode="EUR", CurrencyRate=0.8
            ),
            _spend("spend-none", [xero_line("03-300-M", "310", 2.5, "opt-7")], CurrencyCode=None),
        ]
    )
    lines = document_lines(spend, KNOWN, CODER)
    assert lines["currency"].tolist() == ["USD", "EUR", "USD"]  # no CurrencyCode: the base currency
    currencies = {"8": "EUR"}  # project 7 has none: the base currency
    figures = job_cost_figures(lines, frozenset(), currencies, "USD")
    assert [(r["project_id"], r["jtd_cost"], r["jtd_cost_base"]) for r in figures.to_dict("records")] == [
        ("7", D("2.50"), D("2.50")),
        ("8", D("40.00"), D("50.00")),
    ]
    (left_out,) = other_currency_lines(lines, currencies, "USD").to_dict("records")
    assert (left_out["doc_id"], left_out["currency"], left_out["line_amount"]) == (
        "spend-usd",
        "USD",
        D("95.00"),
    )
    documents = xero_cost_documents(pd.DataFrame(columns=["Type"]), spend, KNOWN)
    held = transform_direct_costs(
        documents,
        {source: document_lines(frame, KNOWN, CODER) for source, frame in documents.items()},
        currencies,
        KNOWN,
        SPEC,
    )
    usd = held[held["source_id"] == "spend-usd"].iloc[0]
    assert (usd["currency"], usd["project_currency"], usd["currency_matches"]) == ("USD", "EUR", False)
