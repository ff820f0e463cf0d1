"""A tenant's whole Procore extract in one call (what ``procore_extract``'s one task per tenant runs):
every type and project staged, a bounded number of clients, one failing read leaving the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from procore_xero.clients import ProcoreClient
from procore_xero.extract.account import extract_procore_account
from procore_xero.extract.specs import COMPANY_SCOPED, PROJECT_SCOPED
from procore_xero.staging import StagingKey, staging_table
from procore_xero.staging.progress import reads_done
from sandbox.process import SandboxProcess
from sandbox.procore.store import project_of_records
from tests.integration.conftest import SandboxTime
from tests.integration.extract.conftest import staged_count, task_try

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_one_failing_read_leaves_the_others_and_the_summary_says_partial(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    state = sandbox.admin("procore", "GET", "state")
    broken = state["projects"][2]["id"]
    sandbox.admin(
        "procore",
        "POST",
        "faults",
        {"kind": "500", "path": f"/projects/{broken}/commitment_change_orders$", "count": 1000},
    )
    made: list[ProcoreClient] = []

    def new_client() -> ProcoreClient:
        made.append(make_procore())
        return made[-1]

    summary = extract_procore_account(
        new_client,
        staging,
        task_try=task_try("extract"),
        window_end=datetime.fromtimestamp(sandbox_time.clock(), UTC),
        concurrency=3,
    )
    projects = len(state["projects"])
    assert len(made) == 3  # one client per worker, never one per project
    assert summary["status"] == "partial"
    assert (summary["projects"], summary["failed_reads"]) == (projects, 1)
    assert summary["reads"] == len(COMPANY_SCOPED) + len(PROJECT_SCOPED) * projects - 1
    assert summary["failures"][0].startswith(f"procore commitment_change_orders (project {broken}): ")
    project_of = project_of_records(state)
    orders = state["commitment_change_orders"]
    assert staged_count(staging, "procore", "commitment_change_orders") == len(
        [o for o in orders if project_of("commitment_change_orders", o) != broken]
    )
    assert staged_count(staging, "procore", "requisitions") == len(state["requisitions"])
    assert summary["records_read"] == sum(
        staged_count(staging, "procore", name) for name in (*COMPANY_SCOPED, *PROJECT_SCOPED)
    )
    calls = sandbox.admin("procore", "GET", "stats")["calls"]
    assert summary["api_calls"] == sum(calls.values()) - calls["POST /oauth/token"]


def test_concurrency_below_one_is_refused(
    make_procore: Callable[..., ProcoreClient], staging: Engine, sandbox_time: SandboxTime
) -> None:
    with pytest.raises(ValueError, match="at least 1, not 0"):
        extract_procore_account(
            make_procore, staging, task_try=task_try("extract"), window_end=datetime.now(UTC), concurrency=0
        )


def test_a_retry_of_the_run_reads_only_what_the_earlier_try_did_not_finish(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    sandbox_time: SandboxTime,
    staging: Engine,
) -> None:
    state = sandbox.admin("procore", "GET", "state")
    broken = state["projects"][1]["id"]
    path = f"/rest/v1.0/projects/{broken}/commitment_change_orders"
    sandbox.admin("procore", "POST", "faults", {"kind": "500", "path": f"{path}$", "count": 1000})
    first_try = task_try("extract")
    window_end = datetime.fromtimestamp(sandbox_time.clock(), UTC)
    first = extract_procore_account(make_procore, staging, task_try=first_try, window_end=window_end)
    assert (first["status"], first["failed_reads"], first["resumed_reads"]) == ("partial", 1, 0)
    company = StagingKey(company_id=make_procore().company_id)
    assert len(reads_done(staging, first_try, company)) == first["reads"]
    assert reads_done(staging, task_try("extract"), company) == set()  # another run starts afresh

    sandbox.admin("procore", "DELETE", "faults")
    sandbox.admin("procore", "DELETE", "requests")
    second = extract_procore_account(
        make_procore, staging, task_try=replace(first_try, try_number=2), window_end=window_end
    )
    sent = [(r["method"], r["path"]) for r in sandbox.admin("procore", "GET", "requests")["requests"]]
    assert [call for call in sent if call[1] != "/oauth/token"] == [("GET", path)]
    assert (second["status"], second["reads"], second["resumed_reads"]) == ("success", 1, first["reads"])
    assert second["api_calls"] == 1
    project_of = project_of_records(state)
    orders = [
        o for o in state["commitment_change_orders"] if project_of("commitment_change_orders", o) == broken
    ]
    assert orders, "the seed's second project has change orders"
    with staging.connect() as connection:
        table = staging_table("procore", "commitment_change_orders")
        staged = connection.execute(select(func.count()).where(table.c.project_id == broken)).scalar_one()
    assert staged == len(orders)
    assert reads_done(staging, first_try, company) == set()  # every read finished: markers cleared
