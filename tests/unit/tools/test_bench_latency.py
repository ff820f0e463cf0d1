"""The latency bench times the exact documents it approved: the numbers it waits for in Xero follow the
settings the sync formats them with, and it picks documents the sync will send rather than hold."""

from __future__ import annotations

from typing import Any

import pytest

from tools.bench_latency import draft_purchase_order, pending_requisition, po_number

SETTINGS = {"po_number": "{job_number}-{number}", "bill_reference": "{po_number}-{requisition_number}"}
SEND, HOLD = {"name": "Send to Xero"}, {"name": "Pre-Construction"}


def commitment(id_: int, project: int, number: str, status: str, total: float = 0) -> dict[str, Any]:
    return {"id": id_, "project": {"id": project}, "number": number, "status": status, "grand_total": total}


def requisition(id_: int, commitment_id: int, number: int, status: str) -> dict[str, Any]:
    return {
        "id": id_,
        "commitment_id": commitment_id,
        "number": number,
        "status": status,
        "invoice_number": f"INV-{id_}",
    }


STATE = {
    "projects": [
        {"id": 1, "project_number": "25-101", "project_stage": SEND},
        {"id": 2, "project_number": None, "project_stage": SEND},
        {"id": 3, "project_number": "25-103", "project_stage": HOLD},
    ],
    "purchase_order_contracts": [
        commitment(10, 1, "PO-001", "Draft", 5_000.10),
        commitment(11, 2, "PO-002", "Draft", 1_200.55),
        commitment(12, 3, "PO-003", "Draft", 10.00),  # smallest, but its project is not sent
        commitment(13, 1, "PO-004", "Approved", 1.00),
    ],
    "work_order_contracts": [
        commitment(20, 2, "SC-001", "Approved"),
        commitment(21, 3, "SC-002", "Approved"),
    ],
    "requisitions": [
        requisition(30, 21, 2, "under_review"),  # project not sent
        requisition(31, 13, 3, "under_review"),  # its invoice 2 is not in Xero
        requisition(32, 20, 4, "under_review"),
        requisition(33, 20, 3, "approved"),
    ],
}


def test_the_po_number_is_the_job_number_else_the_project_id() -> None:
    assert po_number(SETTINGS, STATE["projects"][0], {"number": "PO-001"}) == "25-101-PO-001"
    assert po_number(SETTINGS, STATE["projects"][1], {"number": "SC-001"}) == "2-SC-001"


def test_the_smallest_draft_po_of_a_sent_project_is_approved() -> None:
    po, number = draft_purchase_order(STATE, SETTINGS)
    assert (po["id"], number) == (11, "2-PO-002")


def test_the_invoice_approved_follows_one_already_billed_in_xero() -> None:
    in_xero = {"25-101-PO-004-1", "2-SC-001-3", "25-103-SC-002-1"}
    chosen, number = pending_requisition(STATE, SETTINGS, in_xero)
    assert (chosen["id"], number) == (32, "2-SC-001-4")


def test_no_candidate_says_why() -> None:
    with pytest.raises(RuntimeError, match="previous invoice on its commitment is in Xero"):
        pending_requisition(STATE, SETTINGS, set())
    no_drafts = {**STATE, "purchase_order_contracts": STATE["purchase_order_contracts"][3:]}
    with pytest.raises(RuntimeError, match="no Draft purchase order"):
        draft_purchase_order(no_drafts, SETTINGS)
