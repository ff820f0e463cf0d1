"""Every reason code, per object type, on hand-built frames: which rows fail, why, with which values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from procore_xero.validation import validate
from tests.unit.validation import frames
from tests.unit.validation.frames import SETTINGS, frame

D = Decimal
CASES: dict[str, tuple[pd.DataFrame, dict[tuple[str, str], dict[str, Any]], list[str]]] = {
    "tracking_options": (
        frame(
            frames.tracking_option("1"),
            frames.tracking_option("2", job_number=None, option_name="Project 2"),
            frames.tracking_option("3", job_number="  "),
            frames.tracking_option("4", stage_name="Course of Construction"),
            frames.tracking_option("5", job_number="J-100"),
            frames.tracking_option("6", job_number="J-100"),
            frames.tracking_option("7", stage_name=None),
        ),
        {
            ("2", "missing_job_number"): {"job_number": None},
            ("3", "missing_job_number"): {"job_number": "  "},
            ("4", "wrong_stage"): {"stage_name": "Course of Construction"},
            ("5", "duplicate_job_number"): {"job_number": "J-100"},
            ("6", "duplicate_job_number"): {"job_number": "J-100"},
            ("7", "wrong_stage"): {"stage_name": None},
        },
        ["1"],
    ),
    "items": (
        frame(
            frames.item("1"),
            frames.item("2", code="03-300-CAST-IN-PLACE-CONCRETE-M"),
            frames.item("3", name_truncated=True, description="D" * 60),
        ),
        {
            ("2", "item_code_too_long"): {"code": "03-300-CAST-IN-PLACE-CONCRETE-M"},
            ("3", "item_name_truncated"): {"name_truncated": True, "description": "D" * 60},
        },
        ["1", "3"],  # a truncated name is a note: the item is still sent
    ),
    "contacts": (
        frame(
            frames.contact("1"),
            frames.contact("2", name=None),
            frames.contact("3", name="   "),
            frames.contact("4", name="Acme Concrete LLC"),
            frames.contact("5", name=" ACME concrete llc"),
            frames.contact("6", name="ACME Concrete, LLC"),
            frames.contact("7", name="N" * 256),
            frames.contact("8", name=None, name_is_text=False, name_type="int"),
        ),
        {
            ("2", "missing_vendor_name"): {"name": None},
            ("3", "missing_vendor_name"): {"name": "   "},
            ("4", "duplicate_vendor_name"): {"name": "Acme Concrete LLC"},
            ("5", "duplicate_vendor_name"): {"name": " ACME concrete llc"},
            ("6", "duplicate_vendor_name"): {"name": "ACME Concrete, LLC"},
            ("7", "contact_name_too_long"): {"name": "N" * 256},
            ("8", "missing_vendor_name"): {"name": None},
            ("8", "vendor_name_not_text"): {"name_type": "int"},
        },
        ["1"],  # other punctuation is the same company under the one name rule (mapping.vendor_names)
    ),
    "purchase_orders": (
        frame(
            frames.purchase_order("1"),
            frames.purchase_order("2", contact_mapped=False),
            frames.purchase_order("3", project_option_mapped=False),
            frames.purchase_order("4", unmapped_lines=2),
            frames.purchase_order("5", currency="CAD", currency_enabled=False),
            frames.purchase_order("6", total=D("40000.01")),
            frames.purchase_order("7", total=D("40000.00")),
            frames.purchase_order("8", total=D("99999.99"), remaining_budget=None),
        ),
        {
            ("2", "unmapped_vendor"): {"contact_mapped": False},
            ("3", "project_not_synced"): {"project_option_mapped": False},
            ("4", "unmapped_cost_code"): {"unmapped_lines": 2},
            ("5", "currency_not_enabled"): {"currency_enabled": False},
            ("6", "po_above_remaining_budget"): {
                "remaining_budget": D("40000.00"),
                "total": D("40000.01"),
            },
        },
        ["1", "7", "8"],  # equal to the remaining budget passes; no budget on the codes is not judged
    ),
    "bills": (
        frame(
            frames.bill("1"),
            frames.bill("2", contact_mapped=False),
            frames.bill("3", project_option_mapped=False),
            frames.bill("4", unmapped_lines=1),
            frames.bill("5", currency="CAD", currency_enabled=False),
            frames.bill(
                "6",
                gross_this_period=D("-1080.00"),
                retainage_held=D("-1080.00"),  # a credit: retainage within the (negative) gross
                sov_total=D("-1080.00"),
                net_due=D("-1080.00"),
                lines_total=D("-1080.00"),
            ),
            frames.bill("7", retainage_held=D("10000.01"), net_due=D("-0.01"), lines_total=D("-0.01")),
            frames.bill("8", sov_total=D("9999.99")),
            frames.bill("9", lines_total=D("9000.01")),
            frames.bill("10", vendor_id="502", invoice_number="WO-88"),
            frames.bill("11", vendor_id="502", invoice_number="WO-88"),
            frames.bill("12", vendor_id="503", invoice_number="WO-88"),
            frames.bill(
                "13",
                has_lines=False,
                gross_this_period=D("0.00"),
                retainage_held=D("0.00"),
                sov_total=D("0.00"),
                net_due=D("0.00"),
                lines_total=D("0.00"),
            ),
            frames.bill("14", date="2025-02-30", date_valid=False),
            frames.bill("15", has_summary=False),
            frames.bill("16", has_items=False),
            frames.bill("17", bad_amounts="work_completed_this_period '12,50'"),
        ),
        {
            ("2", "unmapped_vendor"): {"contact_mapped": False},
            ("3", "project_not_synced"): {"project_option_mapped": False},
            ("4", "unmapped_cost_code"): {"unmapped_lines": 1},
            ("5", "currency_not_enabled"): {"currency_enabled": False},
            ("6", "negative_invoice"): {"net_due": D("-1080.00")},
            ("7", "negative_invoice"): {"net_due": D("-0.01")},
            ("7", "retainage_above_gross"): {
                "gross_this_period": D("10000.00"),
                "retainage_held": D("10000.01"),
            },
            ("8", "sov_lines_do_not_sum"): {"sov_total": D("9999.99"), "gross_this_period": D("10000.00")},
            ("9", "bill_total_not_net_due"): {"lines_total": D("9000.01"), "net_due": D("9000.00")},
            ("10", "duplicate_invoice_number"): {"vendor_id": "502", "invoice_number": "WO-88"},
            ("11", "duplicate_invoice_number"): {"vendor_id": "502", "invoice_number": "WO-88"},
            ("13", "nothing_billed"): {"has_lines": False},
            ("14", "invalid_invoice_date"): {"date": "2025-02-30"},
            ("15", "missing_invoice_summary"): {"has_summary": False},
            ("16", "missing_invoice_items"): {"has_items": False},
            ("17", "amount_not_a_number"): {"bad_amounts": "work_completed_this_period '12,50'"},
        },
        ["1", "12"],  # the same number at another vendor is no duplicate
    ),
    "sales_invoices": (
        frame(
            frames.sales_invoice("1"),
            frames.sales_invoice("2", owner_contact_mapped=False),
            frames.sales_invoice("3", project_option_mapped=False),
            frames.sales_invoice("4", unmapped_lines=3),
            frames.sales_invoice("5", currency="CAD", currency_enabled=False),
            frames.sales_invoice("6", net_due=D("-250.00"), lines_total=D("-250.00")),
            frames.sales_invoice(
                "7", retainage_held=D("12000.00"), net_due=D("-2000.00"), lines_total=D("-2000.00")
            ),
            frames.sales_invoice("8", sov_total=D("10000.10")),
            frames.sales_invoice("9", lines_total=D("8999.99")),
            frames.sales_invoice("10", date=None, date_valid=False),
        ),
        {
            ("2", "unmapped_vendor"): {"owner_contact_mapped": False},
            ("3", "project_not_synced"): {"project_option_mapped": False},
            ("4", "unmapped_cost_code"): {"unmapped_lines": 3},
            ("5", "currency_not_enabled"): {"currency_enabled": False},
            ("6", "negative_invoice"): {"net_due": D("-250.00")},
            ("7", "negative_invoice"): {"net_due": D("-2000.00")},
            ("7", "retainage_above_gross"): {
                "gross_this_period": D("10000.00"),
                "retainage_held": D("12000.00"),
            },
            ("8", "sov_lines_do_not_sum"): {"sov_total": D("10000.10"), "gross_this_period": D("10000.00")},
            ("9", "bill_total_not_net_due"): {"lines_total": D("8999.99"), "net_due": D("9000.00")},
            ("10", "invalid_invoice_date"): {"date": None},
        },
        ["1"],
    ),
}


@pytest.mark.parametrize("object_type", sorted(CASES))
def test_each_reason_fails_exactly_its_rows_with_their_values(object_type: str) -> None:
    transformed, expected, passing = CASES[object_type]
    outcome = validate(transformed, object_type, SETTINGS)
    failures = {(f.source_id, f.reason_code): dict(f.values) for f in outcome.failures}
    assert failures == expected
    for failure in outcome.failures:
        exact = expected[(failure.source_id, failure.reason_code)]  # same digits and types, not just ==
        assert [(type(v), str(v)) for v in failure.values.values()] == [
            (type(v), str(v)) for v in exact.values()
        ]
    assert list(outcome.passed["source_id"]) == passing
    held = sorted({source_id for (source_id, reason) in expected if reason != "item_name_truncated"}, key=int)
    assert list(outcome.held["source_id"]) == held
    assert len(outcome.passed) + len(outcome.held) == len(transformed)


def test_messages_name_the_record_and_the_values() -> None:
    transformed, _, _ = CASES["bills"]
    messages = {
        (f.source_id, f.reason_code): f.message for f in validate(transformed, "bills", SETTINGS).failures
    }
    assert messages[("9", "bill_total_not_net_due")] == (
        "Invoice 9 on PO WO-77: the lines total 9000.01, Procore's net amount due is 9000.00"
    )
    assert messages[("6", "negative_invoice")] == (
        "Invoice 6 on PO WO-77: net amount due is -1080.00; negative invoices are not exported"
    )
    transformed, _, _ = CASES["tracking_options"]
    stage = next(
        f for f in validate(transformed, "tracking_options", SETTINGS).failures if f.source_id == "4"
    )
    assert (
        stage.message
        == "Project 4: the project is at stage 'Course of Construction'; only 'Send to Xero' is sent"
    )
    assert stage.expectation == "expect_column_values_to_be_in_set"


def test_the_send_stage_comes_from_settings() -> None:
    transformed = frame(frames.tracking_option("1"), frames.tracking_option("2", stage_name="Sync"))
    outcome = validate(transformed, "tracking_options", {**SETTINGS, "send_to_xero_stage": "Sync"})
    assert [(f.source_id, f.reason_code) for f in outcome.failures] == [("1", "wrong_stage")]


def test_gx_results_are_json_with_failing_source_ids_and_amounts_in_cents() -> None:
    outcome = validate(frame(frames.bill("1"), frames.bill("2", lines_total=D("9000.01"))), "bills", SETTINGS)
    results = json.loads(json.dumps(outcome.results))
    assert results["success"] is False
    assert results["statistics"]["evaluated_expectations"] == 14  # the bills suite: 14 rules
    (failed,) = [r for r in results["results"] if not r["success"]]
    assert failed["expectation_config"]["type"] == "expect_column_pair_values_to_be_equal"
    assert failed["expectation_config"]["meta"]["reason_code"] == "bill_total_not_net_due"
    assert failed["result"]["unexpected_count"] == 1
    assert failed["result"]["unexpected_list"] == [[900001, 900000]]
    assert [row["source_id"] for row in failed["result"]["unexpected_index_list"]] == ["2"]


def test_an_empty_frame_validates_to_nothing() -> None:
    outcome = validate(frame(frames.contact("1")).iloc[0:0], "contacts", SETTINGS)
    assert (outcome.passed.empty, outcome.held.empty, outcome.failures, outcome.success) == (
        True,
        True,
        (),
        True,
    )


@pytest.mark.parametrize(
    ("transformed", "object_type", "error"),
    [
        (
            frame(frames.bill("1", net_due=D("9000.005"))),
            "bills",
            "sub-cent amounts: \\[Decimal\\('9000.005'\\)\\]",
        ),
        (frame(frames.bill("1", lines_total=None)), "bills", "'lines_total' has no amount for 1 row"),
        (frame(frames.bill("1")).drop(columns=["sov_total"]), "bills", "lacks the columns \\['sov_total'\\]"),
        (frame(frames.contact("1"), frames.contact("1")), "contacts", "source_id must identify one row"),
        (frame(frames.contact("1")), "bills", "lacks the columns"),
        (frame(frames.contact("1")), "suppliers", "no validation suite for 'suppliers'"),
    ],
)
def test_frames_off_the_contract_fail_loudly(transformed: pd.DataFrame, object_type: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        validate(transformed, object_type, SETTINGS)
