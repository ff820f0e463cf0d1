"""Purchase orders raised in Xero -> Procore purchase order contracts, with the remaining-budget check."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pandas as pd

from procore_xero.mapping import load_spec, records_frame
from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.inbound.known import KnownInProcore
from procore_xero.mapping.inbound.lines import document_lines
from procore_xero.mapping.inbound.purchase_orders import COLUMNS, transform_xero_purchase_orders
from procore_xero.outgoing import FRAME_COLUMNS
from procore_xero.to_procore.loader import procore_writes
from tests.unit.mapping.xero_records import CODER, xero_line

SPEC = load_spec()
KNOWN = KnownInProcore(
    project_by_option={"opt-7": "7", "opt-8": "8"},
    requisition_by_bill={},
    vendor_by_contact={"c-acme": "55"},
    made_by_sync=frozenset({"po-made"}),
)


def _order(order_id: str, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "PurchaseOrderID": order_id,
        "PurchaseOrderNumber": f"PO-{order_id[3:]}",
        "Status": "AUTHORISED",
        "Reference": "Rebar for level 2",
        "Contact": {"ContactID": "c-acme", "Name": "Acme"},
        "Date": "/Date(1763510400000+0000)/",
        "CurrencyCode": "USD",
        "CurrencyRate": 1.0,
        "LineItems": lines,
        **fields,
    }


ORDERS = records_frame(
    [
        _order(
            "po-a",
            [
                xero_line("03-300-M", "310", 600, "opt-7", Quantity=4, UnitAmount=150),
                xero_line(None, "429", 100, "opt-7"),
            ],
        ),
        _order("po-made", [xero_line("03-300-M", "310", 1, "opt-7")]),  # the Procore -> Xero sync made it
        _order("po-draft", [xero_line("03-300-M", "310", 1, "opt-7")], Status="DRAFT"),
        _order("po-submitted", [xero_line("03-300-M", "310", 1, "opt-7")], Status="SUBMITTED"),
        _order("po-overhead", [xero_line(None, "429", 50, None)]),  # no line on a synced project
        _order(
            "po-split",
            [
                xero_line("03-300-M", "310", 10, "opt-7"),
                xero_line("03-300-M", "310", 20, "opt-8"),
                xero_line("99-999-X", "500", 1, "opt-7"),
            ],
            Status="BILLED",
            Reference="",
            Contact={"ContactID": "c-other", "Name": "Other"},
        ),
        _order(
            "po-partial", [xero_line("03-300-M", "310", 10, "opt-7"), xero_line("03-300-M", "310", 5, None)]
        ),
    ]
)


def _sov(contract_id: int, position: int, code_id: int, code: str, kind: str, amount: str) -> dict[str, Any]:
    return {
        "holder": {"id": contract_id, "holder_type": "PurchaseOrderContract"},
        "position": position,
        "description": f"{code} {kind}",
        "quantity": "1.00",
        "unit_cost": amount,
        "amount": amount,
        "cost_code": {"id": code_id, "full_code": code},
        "line_item_type": {"code": kind},
    }


def _change_order(co_id: int, contract_id: int, status: str, amount: str) -> dict[str, Any]:
    """No lines: Procore publishes a change order's total only."""
    return {
        "id": co_id,
        "contract_id": contract_id,
        "number": f"CO-{co_id}",
        "status": status,
        "grand_total": amount,
    }


def _budget_row(row_id: int, code_id: int, type_id: int, revised: str, committed: str) -> dict[str, Any]:
    """A detail row of Procore's standard budget view: amounts as strings, columns named by the view."""
    return {
        "id": row_id,
        "project_id": 7,
        "cost_code_id": code_id,
        "category_id": type_id,
        "Original Budget Amount": revised,
        "Revised Budget": revised,
        "Committed Costs": committed,
        "Direct Costs": "0.00",
        "Job to Date Costs": "0.00",
    }


TYPES = records_frame([{"id": 1, "code": "M"}, {"id": 2, "code": "L"}])
# Committed as Procore's view computes it (approved commitments and approved change orders): on 100/M #30
# 1000.00 + its CO-90 200.00 + #32 600.00; on 101/L #30 50.00 + #32 100.00; on 200/M #33 15.00.
PROCORE = {
    "commitments": records_frame(
        [
            {"id": 30, "status": "Approved"},
            {"id": 31, "status": "Draft"},  # not approved: commits nothing yet
            {"id": 32, "status": "Approved"},  # what an earlier run made of po-a
            {"id": 33, "status": "Complete"},
        ]
    ),
    "commitment_line_items": records_frame(
        [
            _sov(30, 1, 100, "03-300", "M", "1000.00"),
            _sov(30, 2, 101, "01-100", "L", "50.00"),
            _sov(31, 1, 100, "03-300", "M", "5000.00"),
            _sov(32, 1, 100, "03-300", "M", "600.00"),
            _sov(32, 2, 101, "01-100", "L", "100.00"),
            _sov(33, 1, 200, "03-300", "M", "15.00"),
        ]
    ),
    "commitment_change_orders": records_frame(
        [_change_order(90, 30, "approved", "200.00"), _change_order(91, 30, "pending", "999.00")]
    ),
    "budget": budget_figures(
        records_frame(
            [
                _budget_row(1, 100, 1, "5000.00", "1800.00"),
                _budget_row(2, 101, 2, "300.00", "150.00"),
                _budget_row(3, 101, 1, "777.00", "0.00"),
                _budget_row(4, 200, 1, "70.00", "15.00"),
            ]
        ),
        TYPES,
    ),
}
COMMITMENT_OF_ORDER = {"po-a": "32"}


def _transform(
    procore: dict[str, pd.DataFrame] = PROCORE, commitment_of_order: dict[str, str] = COMMITMENT_OF_ORDER
) -> pd.DataFrame:
    lines = document_lines(ORDERS, KNOWN, CODER)
    return transform_xero_purchase_orders(ORDERS, lines, procore, KNOWN, commitment_of_order, SPEC)


def test_only_final_xero_raised_orders_on_synced_projects() -> None:
    frame = _transform()
    assert frame.columns.tolist() == [*FRAME_COLUMNS, *COLUMNS]
    assert frame["source_id"].tolist() == ["po-a", "po-split", "po-partial"]
    assert set(frame["target_type"]) == {"purchase_order_contracts"}
    assert set(frame["source_type"]) == {"xero/purchase_orders"}
    assert frame["action"].tolist() == ["upsert"] * 3


def test_order_on_one_project_with_coded_lines() -> None:
    row = _transform().iloc[0]
    assert (row["project_id"], row["project_mapped"]) == ("7", True)
    assert (row["vendor_id"], row["vendor_mapped"]) == (55, True)
    assert type(row["vendor_id"]) is int
    assert (row["unmapped_lines"], row["total"]) == (0, D("700.00"))
    assert row["label"] == "Xero PO PO-a (Acme, 700.00)"
    assert row["natural_key"] == {"origin_id": "po-a"}
    assert row["payload"] == {
        "origin_id": "po-a",
        "number": "PO-a",
        "title": "Rebar for level 2",
        "vendor_id": 55,
        "contract_date": "2025-11-19",
        "line_items": [
            {
                "cost_code_id": 100,
                "line_item_type_id": 1,
                "description": "03-300-M 600",
                "quantity": D("4"),
                "unit_cost": D("150"),
                "amount": D("600.00"),
            },
            {
                "cost_code_id": 101,
                "line_item_type_id": 2,
                "description": "429 100",
                "quantity": D("1"),
                "unit_cost": D("100"),
                "amount": D("100.00"),
            },
        ],
    }


def test_remaining_budget_leaves_out_the_orders_own_commitment() -> None:
    # po-a codes: 100/M and 101/L: revised 5000.00 + 300.00 minus committed 1800.00 + 150.00 = 3350.00, plus
    # #32 (po-a itself, 700.00, which Procore's committed figure includes). 101/M is not po-a's code.
    assert _transform().iloc[0]["remaining_budget"] == D("4050.00")
    # Without the link, #32 (600.00 on 100/M, 100.00 on 101/L) counts as another commitment.
    assert _transform(commitment_of_order={}).iloc[0]["remaining_budget"] == D("3350.00")


def test_order_split_over_projects_is_not_project_mapped() -> None:
    frame = _transform()
    split, partial = frame.iloc[1], frame.iloc[2]
    assert (split["project_id"], split["project_mapped"]) == (None, False)
    assert (split["vendor_id"], split["vendor_mapped"]) == (None, False)
    assert (split["unmapped_lines"], split["total"]) == (1, D("31.00"))
    # Budget 5000.00 on 100/M + 70.00 on 200/M; committed 1800.00 on 100/M (with #32, po-a's, not
    # po-split's) and 15.00 on 200/M.
    assert split["remaining_budget"] == D("3255.00")
    assert split["payload"]["title"] == "Purchase order PO-split raised in Xero"
    assert "vendor_id" not in split["payload"]
    assert [(line["cost_code_id"], line["amount"]) for line in split["payload"]["line_items"]] == [
        (100, D("10.00")),
        (200, D("20.00")),
    ]
    # One line on a project and one on none: held as well (the untracked line has no budget code).
    assert (partial["project_id"], partial["project_mapped"], partial["unmapped_lines"]) == (None, False, 1)
    assert partial["total"] == D("15.00")


def test_no_budget_lines_no_remaining_budget() -> None:
    procore = {**PROCORE, "budget": budget_figures(records_frame([]), TYPES)}
    assert _transform(procore).iloc[0]["remaining_budget"] is None
    # Committed costs are Procore's own figure: with no commitment staged, po-a's earlier one is not found
    # and nothing of the committed costs is taken as its own.
    no_commitments = {**PROCORE, "commitments": records_frame([])}
    assert _transform(no_commitments).iloc[0]["remaining_budget"] == D("3350.00")


def test_no_orders_no_rows() -> None:
    empty = records_frame([])
    lines = document_lines(empty, KNOWN, CODER)
    frame = transform_xero_purchase_orders(empty, lines, PROCORE, KNOWN, {}, SPEC)
    assert frame.empty and frame.columns.tolist() == [*FRAME_COLUMNS, *COLUMNS]


def test_order_writes_per_project() -> None:
    writes = procore_writes(_transform())
    assert [(w.record.source_id, w.action, w.project_id, w.link_to) for w in writes] == [
        ("po-a", "upsert", "7", None),
        ("po-split", "upsert", None, None),
        ("po-partial", "upsert", None, None),
    ]
