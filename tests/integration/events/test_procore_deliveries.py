"""Procore's emulator delivers webhook events to the real intake: registered idempotently, verified,
stored once however often delivered, refused when the Authorization header is wrong."""

from __future__ import annotations

from typing import Any

from procore_xero.events.registration import ensure_procore_hook
from sandbox.process import SandboxProcess
from tests.integration.events.conftest import PROCORE_TOKEN, Intake
from tests.integration.sandbox.procore_api import V10, ProcoreApi

VENDOR_TRIGGERS = {"Company Vendors": ["create", "update"]}


def rename_first_vendor(api: ProcoreApi, name: str) -> dict[str, Any]:
    vendor = api.state()["vendors"][0]
    answer = api.call(
        "PATCH",
        f"{V10}/vendors/{vendor['id']}",
        json={"company_id": api.company_id, "vendor": {"name": name}},
    )
    assert answer.status_code == 200, answer.text
    return vendor


def deliveries(sandbox: SandboxProcess, api: ProcoreApi, hook_id: int) -> list[dict[str, Any]]:
    sandbox.admin("procore", "POST", "webhooks/deliver")
    answer = api.call(
        "GET", f"{V10}/webhooks/hooks/{hook_id}/deliveries", params={"company_id": api.company_id}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_registration_is_idempotent(sandbox: SandboxProcess, intake: Intake, make_procore: Any) -> None:
    client = make_procore()
    triggers = {"Company Vendors": ["create", "update"], "Direct Costs": ["create", "update", "delete"]}
    first = ensure_procore_hook(client, f"{intake.url}/procore", PROCORE_TOKEN, triggers)
    again = ensure_procore_hook(client, f"{intake.url}/procore", PROCORE_TOKEN, triggers)
    assert (first.hook_created, first.triggers_created, first.triggers_existing) == (True, 5, 0)
    assert (again.hook_id, again.hook_created, again.hook_updated) == (first.hook_id, False, False)
    assert (again.triggers_created, again.triggers_existing) == (0, 5)
    rotated = ensure_procore_hook(client, f"{intake.url}/procore", "a-new-secret", triggers)
    assert (rotated.hook_id, rotated.hook_updated, rotated.triggers_created) == (first.hook_id, True, 0)


def test_a_repeated_delivery_is_stored_once(
    sandbox: SandboxProcess, intake: Intake, make_procore: Any
) -> None:
    hook = ensure_procore_hook(make_procore(), f"{intake.url}/procore", PROCORE_TOKEN, VENDOR_TRIGGERS)
    sandbox.admin(
        "procore", "POST", "faults", {"kind": "repeat", "path": "/webhooks/deliver/Company Vendors"}
    )
    api = ProcoreApi(sandbox)
    vendor = rename_first_vendor(api, "Renamed Vendor LLC")
    log = deliveries(sandbox, api, hook.hook_id)
    assert [(d["outcome"], d["response_status"]) for d in log] == [("ok", 200), ("ok", 200)]
    assert log[0]["event"]["ulid"] == log[1]["event"]["ulid"]
    rows = intake.wait_for_rows(1)
    assert len(rows) == 1
    row = rows[0]
    assert (row["source"], row["resource_name"], row["resource_id"], row["event_type"]) == (
        "procore",
        "Company Vendors",
        str(vendor["id"]),
        "update",
    )
    assert (row["delivery_key"], row["account"]) == (log[0]["event"]["ulid"], str(api.company_id))
    assert '"duplicates":1' in log[1]["response_body"].replace(" ", "")


def test_a_delivery_with_the_wrong_authorization_is_refused(
    sandbox: SandboxProcess, intake: Intake, make_procore: Any
) -> None:
    hook = ensure_procore_hook(
        make_procore(), f"{intake.url}/procore", "not-the-intake-secret", VENDOR_TRIGGERS
    )
    api = ProcoreApi(sandbox)
    rename_first_vendor(api, "Forged Vendor")
    log = deliveries(sandbox, api, hook.hook_id)
    assert [(d["outcome"], d["response_status"]) for d in log] == [("retried", 401)]
    assert "Authorization" in log[0]["response_body"]
    assert intake.rows() == []


def test_a_reordered_delivery_arrives_after_the_next_one(
    sandbox: SandboxProcess, intake: Intake, make_procore: Any
) -> None:
    hook = ensure_procore_hook(make_procore(), f"{intake.url}/procore", PROCORE_TOKEN, VENDOR_TRIGGERS)
    sandbox.admin(
        "procore", "POST", "faults", {"kind": "reorder", "path": "/webhooks/deliver/Company Vendors"}
    )
    api = ProcoreApi(sandbox)
    first, second = api.state()["vendors"][:2]
    for vendor, name in ((first, "First Renamed"), (second, "Second Renamed")):
        body = {"company_id": api.company_id, "vendor": {"name": name}}
        assert api.call("PATCH", f"{V10}/vendors/{vendor['id']}", json=body).status_code == 200
    log = deliveries(sandbox, api, hook.hook_id)
    assert [d["event"]["resource_id"] for d in log] == [second["id"], first["id"]]
    rows = intake.wait_for_rows(2)
    assert [r["resource_id"] for r in rows] == [str(second["id"]), str(first["id"])]
