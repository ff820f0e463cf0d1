"""Procore → staging against the sandbox, on SQLite and PostgreSQL: exact contents, increments, windows,
deletions, faults, and API calls against the minimum."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from procore_xero.amounts import parse_amount
from procore_xero.clients import ProcoreClient, RetryPolicy
from procore_xero.extract.procore import extract_procore, staged_project_ids
from procore_xero.extract.specs import COMPANY_SCOPED, PROJECT_SCOPED
from sandbox.process import SandboxProcess
from tests.integration.conftest import SandboxTime
from tests.integration.extract.conftest import minimum_calls, staged_count, staged_raw, task_try

PER_PAGE = 2000
# The seed's collections behind each object type; detail rows are one per live budget line item.
STATE_COLLECTION = {"budget_view_detail_rows": "budget_line_items"}


def sandbox_now(sandbox_time: SandboxTime) -> datetime:
    return datetime.fromtimestamp(sandbox_time.clock(), UTC)


def extract_all(
    client: ProcoreClient, engine: Engine, end: datetime, **options: Any
) -> dict[str, list[dict]]:
    """Every object type, projects first, as the DAG orders them; results per type."""
    results = {
        name: [extract_procore(client, engine, name, task_try=task_try(name), window_end=end, **options)]
        for name in COMPANY_SCOPED
    }
    results.update({name: [] for name in PROJECT_SCOPED})
    for project_id in staged_project_ids(engine, client.company_id):
        for name in PROJECT_SCOPED:
            results[name].append(
                extract_procore(
                    client,
                    engine,
                    name,
                    task_try=task_try(name),
                    window_end=end,
                    project_id=project_id,
                    **options,
                )
            )
    return results


def total(results: list[dict], field: str) -> int:
    return sum(result[field] for result in results)


def test_full_then_incremental_extract_holds_exactly_the_seed(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    state = sandbox.admin("procore", "GET", "state")
    client = make_procore()
    first = extract_all(client, staging, sandbox_now(sandbox_time))
    for name, results in first.items():
        expected = len(state[STATE_COLLECTION.get(name, name)])
        assert staged_count(staging, "procore", name) == expected, name
        assert total(results, "inserted") == expected, name
        calls = total(results, "api_calls")
        if name == "commitment_line_items":  # one list per commitment: the API has no wider one
            assert calls == len(state["work_order_contracts"]) + len(state["purchase_order_contracts"])
        elif name == "budget_view_detail_rows":  # one list per staged budget view
            assert calls == len(state["budget_views"])
        elif name == "contract_payments":  # one list per billed commitment: contract_id is required
            assert calls == len({r["commitment_id"] for r in state["requisitions"]})
        elif name == "prime_contract_line_items":  # one list per prime contract
            assert calls == len(state["prime_contracts"])
        elif name == "payment_applications":  # one list per project, one show per owner invoice (g703)
            assert calls == len(results) + len(state["payment_applications"])
        else:
            minimum = sum(
                minimum_calls(len(state[name]) if name in COMPANY_SCOPED else 1, PER_PAGE) for _ in results
            )
            assert calls <= minimum * 1.05, name
    sample = state["requisitions"][17]
    staged = staged_raw(staging, "procore", "requisitions", sample["id"])
    staged_due = staged["summary"]["current_payment_due"]  # staged as Procore sent it: a decimal string
    assert isinstance(staged_due, str) and parse_amount(staged_due) == Decimal(
        str(sample["summary"]["current_payment_due"])
    )
    assert [i["id"] for i in staged["items"]] == [i["id"] for i in sample["items"]]  # view=extended

    # Change a vendor, delete a draft commitment; the next hour's run finds those two and nothing else
    # (cost codes, cost types and stages publish no updated_at filter: read whole, unchanged).
    vendor = state["vendors"][5]
    draft = next(c for c in state["work_order_contracts"] if c["status"] == "Draft")
    client.send("PATCH", f"/rest/v1.0/vendors/{vendor['id']}", {"vendor": {"name": "Renamed Vendor LLC"}})
    client.send(
        "DELETE", f"/rest/v1.0/work_order_contracts/{draft['id']}?project_id={draft['project']['id']}", None
    )
    sandbox_time.advance(60)
    before = sandbox_now(sandbox_time)
    second = extract_all(client, staging, before, window_start=before - timedelta(hours=1))
    changed = {
        name: (total(r, "inserted"), total(r, "updated"), total(r, "deleted")) for name, r in second.items()
    }
    assert changed.pop("vendors") == (0, 1, 0)
    assert changed.pop("work_order_contracts") == (0, 1, 1)
    assert set(changed.values()) == {(0, 0, 0)}
    assert staged_raw(staging, "procore", "vendors", vendor["id"])["name"] == "Renamed Vendor LLC"
    for name, results in second.items():  # at most one call per type and project when nothing changed
        assert total(results, "api_calls") <= len(results), name


def test_a_backfill_window_reads_only_its_window(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    client = make_procore()
    vendors = sandbox.admin("procore", "GET", "state")["vendors"]
    extract_procore(client, staging, "vendors", task_try=task_try("v"), window_end=sandbox_now(sandbox_time))
    early = sandbox_now(sandbox_time)
    client.send("PATCH", f"/rest/v1.0/vendors/{vendors[1]['id']}", {"vendor": {"name": "Early Change Inc"}})
    sandbox_time.advance(3 * 3600)
    client.send("PATCH", f"/rest/v1.0/vendors/{vendors[2]['id']}", {"vendor": {"name": "Late Change Inc"}})
    now = sandbox_now(sandbox_time)
    latest = extract_procore(
        client,
        staging,
        "vendors",
        task_try=task_try("v"),
        window_end=now,
        window_start=now - timedelta(hours=1),
    )
    assert (latest["records_read"], latest["updated"]) == (2, 2)  # from the watermark: both changes
    backfill = extract_procore(
        client,
        staging,
        "vendors",
        task_try=task_try("v"),
        window_start=early - timedelta(minutes=1),
        window_end=early + timedelta(minutes=30),
    )
    assert (backfill["records_read"], backfill["unchanged"]) == (1, 1)


def test_injected_faults_still_end_complete(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    for fault in (
        {"kind": "429", "path": "/vendors", "count": 1, "retry_after": 2},
        {"kind": "503", "path": "/vendors", "count": 1, "retry_after": 1},
        {"kind": "timeout", "path": "/vendors", "count": 1, "delay_seconds": 0.6},
        {"kind": "drop", "path": "/vendors", "count": 1},
    ):
        sandbox.admin("procore", "POST", "faults", fault)
    client = make_procore(timeout=(2.0, 0.3), retry=RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05))
    result = extract_procore(
        client, staging, "vendors", task_try=task_try("v"), window_end=sandbox_now(sandbox_time)
    )
    assert result["inserted"] == staged_count(staging, "procore", "vendors") == 300
    assert result["api_calls"] == 5  # the four refused or lost calls, then the page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_full_refresh_reads_deleted_records(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    client = make_procore()
    draft = next(
        c for c in sandbox.admin("procore", "GET", "state")["work_order_contracts"] if c["status"] == "Draft"
    )
    client.send(
        "DELETE", f"/rest/v1.0/work_order_contracts/{draft['id']}?project_id={draft['project']['id']}", None
    )
    result = extract_procore(
        client,
        staging,
        "work_order_contracts",
        task_try=task_try("c"),
        window_end=sandbox_now(sandbox_time),
        project_id=draft["project"]["id"],
        full_refresh=True,
    )
    assert result["deleted"] == 1
    assert staged_raw(staging, "procore", "work_order_contracts", draft["id"])["deleted_at"] is not None
