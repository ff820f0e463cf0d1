"""Failures into the exception queue (SQLite staging) and the results file for the data team."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from procore_xero.staging import Problem, TenantKey, create_staging_engine, ensure_schema, list_open
from procore_xero.validation import hold_failures, save_results, validate
from tests.unit.validation import frames
from tests.unit.validation.frames import SETTINGS, frame

TENANT = TenantKey(company_id=4_000_000_123, tenant_id="8a1f7c2e-1b2c-4d5e-9f00-aabbccddeeff")
BILLS = frame(
    frames.bill("1"),
    frames.bill("2", lines_total=Decimal("9000.01")),
    frames.bill("3", net_due=Decimal("-42.50"), lines_total=Decimal("-42.50")),
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_staging_engine(f"sqlite:///{tmp_path / 'staging.db'}")
    ensure_schema(engine)
    yield engine
    engine.dispose()


def test_each_failure_is_one_exception_and_a_rerun_bumps_it(engine: Engine) -> None:
    outcome = validate(BILLS, "bills", SETTINGS)
    first = hold_failures(engine, TENANT, outcome, run_id="run-1")
    again = hold_failures(engine, TENANT, validate(BILLS, "bills", SETTINGS), run_id="run-2")
    assert first == again and len(first) == 2
    queued = {(q.problem.source_id, q.problem.reason_code): q for q in list_open(engine, TENANT)}
    assert set(queued) == {
        ("2", "bill_total_not_net_due"),
        ("3", "negative_invoice"),
    }
    total = queued[("2", "bill_total_not_net_due")]
    assert total.problem == Problem(TENANT, "procore", "requisitions", "2", "bill_total_not_net_due")
    assert (total.occurrences, total.run_id, total.source_label) == (2, "run-2", "Invoice 2 on PO WO-77")
    assert total.details == {
        "expectation": "expect_column_pair_values_to_be_equal",
        "values": {"lines_total": Decimal("9000.01"), "net_due": Decimal("9000.00")},
    }
    assert str(total.details["values"]["net_due"]) == "9000.00"
    negative = queued[("3", "negative_invoice")]
    assert (
        negative.message
        == "Invoice 3 on PO WO-77: net amount due is -42.50; negative invoices are not exported"
    )
    assert negative.details["values"] == {"net_due": Decimal("-42.50")}


def test_a_note_is_queued_but_the_item_still_loads(engine: Engine) -> None:
    items = frame(frames.item("1"), frames.item("2", name_truncated=True, description="Long " * 12))
    outcome = validate(items, "items", SETTINGS)
    (exception_id,) = hold_failures(engine, TENANT, outcome, run_id="run-1")
    (queued,) = list_open(engine, TENANT)
    assert (queued.id, queued.problem.object_type, queued.problem.reason_code) == (
        exception_id,
        "cost_codes",
        "item_name_truncated",
    )
    assert queued.details["values"] == {"name_truncated": True, "description": "Long " * 12}
    assert list(outcome.passed["source_id"]) == ["1", "2"] and outcome.held.empty


def test_results_file_holds_summary_exact_failures_and_gx_results(tmp_path: Path) -> None:
    outcome = validate(BILLS, "bills", SETTINGS)
    path = save_results(outcome, "scheduled__2026-03-01T00:00:00+00:00", tmp_path)
    assert path == tmp_path / "scheduled__2026-03-01T00:00:00+00:00" / "bills.json"
    saved = json.loads(path.read_text())
    assert saved["summary"] == {
        "object_type": "bills",
        "rows": 3,
        "passed": 1,
        "held": 2,
        "reasons": {"bill_total_not_net_due": 1, "negative_invoice": 1},
    }
    assert saved["failures"][0] == {
        "source_type": "procore/requisitions",
        "source_id": "3",
        "label": "Invoice 3 on PO WO-77",
        "reason_code": "negative_invoice",
        "note": False,
        "message": "Invoice 3 on PO WO-77: net amount due is -42.50; negative invoices are not exported",
        "expectation": "expect_column_values_to_be_between",
        "values": {"net_due": "-42.50"},
    }
    assert saved["great_expectations"]["statistics"]["unsuccessful_expectations"] == 2


def test_results_go_under_the_data_dir_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PXSYNC_DATA_DIR", str(tmp_path))
    path = save_results(validate(BILLS, "bills", SETTINGS), "manual__1")
    assert path == tmp_path / "validation" / "manual__1" / "bills.json"
