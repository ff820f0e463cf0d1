"""Xero → staging against the sandbox, on SQLite and PostgreSQL: exact contents, increments, API calls
against the minimum, faults, and a daily-limit stop that the next run resumes without re-reading."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from procore_xero.clients import RetryPolicy, XeroClient
from procore_xero.extract.runner import ExtractStopped
from procore_xero.extract.specs import XERO_SPECS
from procore_xero.extract.xero import extract_xero
from procore_xero.staging import get_resume
from procore_xero.staging.keys import StagingKey
from sandbox.process import SandboxProcess
from tests.integration.extract.conftest import api_calls, minimum_calls, staged_count, staged_raw, task_try

PAGE_SIZE = 1000


def tenant_state(sandbox: SandboxProcess, tenant_id: str) -> dict:
    return sandbox.admin("xero", "GET", "state")["tenants"][tenant_id]


def test_full_then_incremental_extract_holds_exactly_the_seed(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine
) -> None:
    client = make_xero()
    state = tenant_state(sandbox, client.tenant_id)
    for name, spec in XERO_SPECS.items():
        result = extract_xero(client, staging, name, task_try=task_try(name))
        expected = len(state[spec.endpoint])
        assert staged_count(staging, "xero", name) == result["inserted"] == expected, name
        minimum = minimum_calls(expected, PAGE_SIZE) if spec.paged else 1
        assert result["api_calls"] <= minimum * 1.05, name
    invoice = state["Invoices"][42]
    staged = staged_raw(staging, "xero", "invoices", invoice["InvoiceID"])
    assert staged["Total"] == Decimal(str(invoice["Total"])).quantize(Decimal("0.01"))

    contact = state["Contacts"][7]
    client.save(
        "Contacts", [{"ContactID": contact["ContactID"], "Name": "Renamed Contact Ltd"}], method="POST"
    )
    for name in XERO_SPECS:
        result = extract_xero(client, staging, name, task_try=task_try(name))
        assert result["api_calls"] <= 1, name
        assert (result["inserted"], result["updated"]) == ((0, 1) if name == "contacts" else (0, 0)), name
    assert staged_raw(staging, "xero", "contacts", contact["ContactID"])["Name"] == "Renamed Contact Ltd"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_injected_faults_still_end_complete(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine
) -> None:
    for fault in (
        {"kind": "429", "path": "/Invoices", "count": 1, "retry_after": 1},
        {"kind": "503", "path": "/Invoices", "count": 1, "retry_after": 1},
        {"kind": "timeout", "path": "/Invoices", "count": 1, "delay_seconds": 0.6},
        {"kind": "drop", "path": "/Invoices", "count": 1},
    ):
        sandbox.admin("xero", "POST", "faults", fault)
    client = make_xero(timeout=(2.0, 0.3), retry=RetryPolicy(attempts=6, base_delay=0.01, max_delay=0.05))
    result = extract_xero(client, staging, "invoices", task_try=task_try("i"))
    assert result["inserted"] == staged_count(staging, "xero", "invoices") == 150


def test_daily_limit_stops_cleanly_and_the_next_run_resumes(
    sandbox: SandboxProcess, make_xero: Callable[..., XeroClient], staging: Engine
) -> None:
    client = make_xero(page_size=50)  # 200 bank transactions: pages 1-4 (pageCount ends the read)
    client.get("Organisation")  # one call spent before the limit is set
    sandbox.admin("xero", "POST", "limits", {"daily": 3})
    route = "GET /api.xro/2.0/BankTransactions"
    with pytest.raises(ExtractStopped, match=r"daily API rate limit is spent; it resets at .* UTC") as stop:
        extract_xero(client, staging, "bank_transactions", task_try=task_try("b"))
    assert stop.value.page == 3
    assert staged_count(staging, "xero", "bank_transactions") == 100
    key = StagingKey(tenant_id=client.tenant_id)
    assert get_resume(staging, "bank_transactions", key)["page"] == 3
    served = api_calls(sandbox, "xero", route)

    sandbox.admin("xero", "POST", "limits", {"daily": 5000})
    result = extract_xero(client, staging, "bank_transactions", task_try=task_try("b"))
    assert result["resumed_from_page"] == 3
    assert api_calls(sandbox, "xero", route) - served == 2  # pages 3 and 4: nothing read twice
    assert staged_count(staging, "xero", "bank_transactions") == 200 == result["inserted"] + 100
    assert get_resume(staging, "bank_transactions", key) is None
