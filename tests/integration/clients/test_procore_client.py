"""ProcoreClient over real HTTP against the Procore emulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from procore_xero.clients import ProcoreClient
from sandbox.process import SandboxProcess
from tests.integration.conftest import SandboxTime

PROJECTS = "/rest/v1.0/projects"


def stats(sandbox: SandboxProcess) -> dict:
    return sandbox.admin("procore", "GET", "stats")


def test_pages_follow_links_and_the_call_count_matches_the_sandbox(
    sandbox: SandboxProcess, make_procore: Callable[..., ProcoreClient], procore_creds: dict
) -> None:
    company = procore_creds["company_id"]
    state_projects = [
        p for p in sandbox.admin("procore", "GET", "state")["projects"] if p["company"]["id"] == company
    ]
    small = make_procore(per_page=7)
    pages = list(small.pages(PROJECTS, {"company_id": company}))
    assert [len(p) for p in pages] == [7, 7, 7, len(state_projects) - 21]
    assert sorted(p["id"] for page in pages for p in page) == sorted(p["id"] for p in state_projects)
    full = make_procore()
    vendor_pages = list(full.pages("/rest/v1.0/vendors", {"company_id": company}))
    assert len(vendor_pages) == 1 and len(vendor_pages[0]) > 100  # one call at per_page=2000
    seen = stats(sandbox)["calls"]
    assert seen[f"GET {PROJECTS}"] == small.calls[f"GET {PROJECTS}"] == 4
    assert seen["GET /rest/v1.0/vendors"] == full.calls["GET /rest/v1.0/vendors"] == 1


def test_updated_at_window_reads_only_what_changed(
    make_procore: Callable[..., ProcoreClient], procore_creds: dict
) -> None:
    client = make_procore()
    params = {"company_id": procore_creds["company_id"]}
    everything = [p for page in client.pages(PROJECTS, params) for p in page]
    cutoff = sorted(p["updated_at"] for p in everything)[len(everything) // 2]
    start = datetime.fromisoformat(cutoff.replace("Z", "+00:00"))
    window = (start, datetime(2100, 1, 1, tzinfo=UTC))
    changed = [p for page in client.pages(PROJECTS, params, updated_between=window) for p in page]
    assert {p["id"] for p in changed} == {p["id"] for p in everything if p["updated_at"] >= cutoff}


def test_spike_limit_is_paced_without_a_single_429(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    procore_creds: dict,
    sandbox_time: SandboxTime,
) -> None:
    sandbox.admin("procore", "POST", "limits", {"spike": 10})
    client = make_procore(per_page=1)
    pages = list(client.pages(PROJECTS, {"company_id": procore_creds["company_id"]}))
    assert len(pages) == 25
    assert stats(sandbox)["throttled_total"] == 0
    assert sandbox_time.sleeps and client.api.throttle.waited_seconds >= 10  # 25 calls > 2 spike windows


def test_retries_5xx_and_dropped_connections_on_reads(
    sandbox: SandboxProcess, make_procore: Callable[..., ProcoreClient], procore_creds: dict
) -> None:
    sandbox.admin(
        "procore", "POST", "faults", {"kind": "503", "path": "/vendors$", "count": 1, "retry_after": 2}
    )
    sandbox.admin("procore", "POST", "faults", {"kind": "drop", "path": "/vendors$", "count": 1})
    client = make_procore()
    vendors = client.get("/rest/v1.0/vendors", {"company_id": procore_creds["company_id"]})
    assert len(vendors) == 100  # a plain GET gets the default page
    seen = stats(sandbox)
    assert client.calls["GET /rest/v1.0/vendors"] == 3 and seen["statuses"]["503"] == 1
    # the emulator does not always count the dropped call in its stats (reported); the answered ones it does
    assert seen["calls"]["GET /rest/v1.0/vendors"] in (2, 3)
    assert seen["faults_fired"] == {"503": 1, "drop": 1}


def test_sync_action_upserts_by_origin_id_and_reports_errors(
    sandbox: SandboxProcess, make_procore: Callable[..., ProcoreClient], procore_creds: dict
) -> None:
    client = make_procore()
    company = procore_creds["company_id"]
    records = [
        {"origin_id": "xero-c-1", "name": "Sync Vendor One"},
        {"origin_id": "xero-c-2", "name": ""},
        {"origin_id": "xero-c-3", "name": "Sync Vendor Three"},
    ]
    first = client.sync("/rest/v1.0/vendors/sync", records, body={"company_id": company}, idempotent=True)
    again = client.sync("/rest/v1.0/vendors/sync", records, body={"company_id": company}, idempotent=True)
    assert [e["origin_id"] for e in first.entities] == ["xero-c-1", "xero-c-3"]
    assert [e["origin_id"] for e in first.errors] == ["xero-c-2"] and first.errors[0]["errors"]
    assert [e["id"] for e in again.entities] == [e["id"] for e in first.entities]  # upserted, not duplicated
    vendors = sandbox.admin("procore", "GET", "state")["vendors"]
    assert sum(1 for v in vendors if v.get("origin_id") in ("xero-c-1", "xero-c-3")) == 2
    assert stats(sandbox)["calls"]["PATCH /rest/v1.0/vendors/sync"] == 2


def test_token_is_renewed_before_expiry_on_sandbox_time_and_after_a_401_on_a_wrong_clock(
    sandbox: SandboxProcess,
    make_procore: Callable[..., ProcoreClient],
    procore_creds: dict,
    sandbox_time: SandboxTime,
) -> None:
    params = {"company_id": procore_creds["company_id"]}
    client = make_procore()
    client.get(PROJECTS, params)
    sandbox_time.advance(5400 - 200)  # inside the 300 s margin of the 1.5 h token
    client.get(PROJECTS, params)
    seen = stats(sandbox)
    assert seen["calls"]["POST /oauth/token"] == 2 and "401" not in seen["statuses"]

    skewed = make_procore(token_clock=time.time)  # its clock never sees the sandbox jump ahead
    skewed.get(PROJECTS, params)
    sandbox_time.advance(5400)
    skewed.get(PROJECTS, params)  # 401 (expired), renewed once, then answered
    seen = stats(sandbox)
    assert seen["statuses"]["401"] == 1 and seen["calls"]["POST /oauth/token"] == 4
