"""What the soak's killed worker found: a payment issued that a dead worker had already POSTed to Procore
(its ``origin_id`` now taken, nothing in the crosswalk) is found again and brought up to date by the next
try, not refused and held in the exception queue on every later run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from procore_xero.outgoing import Outgoing
from procore_xero.staging import TenantKey, open_staging
from procore_xero.staging.schema import exceptions
from procore_xero.to_procore.loader import ProcoreWrite, load_to_procore
from sandbox.process import SandboxProcess
from tools.bench_extract import procore_client
from tools.extract_env import extract_env, patched_environ

PAYMENT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"  # the Xero payment: Procore's origin_id


def test_a_payment_a_killed_worker_posted_is_adopted_and_updated(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    env = extract_env(sandbox, f"sqlite:///{tmp_path / 'staging.db'}")
    state = sandbox.admin("procore", "GET", "state")
    contract = next(c for c in state["work_order_contracts"] if c["status"] == "Approved")
    payload = {
        "contract_id": contract["id"],
        "amount": Decimal("1234.56"),
        "date": "2026-11-20",
        "invoice_number": "SC-0042",
        "origin_id": PAYMENT_ID,
    }
    with patched_environ(env):
        engine, client = open_staging(), procore_client(env)
        body = {"project_id": contract["project"]["id"], "contract_id": contract["id"]}
        first = client.send(
            "POST", "/rest/v1.0/contract_payments", {**body, "contract_payment": {**payload, "amount": 1000}}
        )  # the dead worker's try: written in Procore, never recorded in id_map
        write = ProcoreWrite(
            Outgoing(
                "contract_payments",
                "xero/payments",
                PAYMENT_ID,
                "Payment",
                {"origin_id": PAYMENT_ID},
                payload,
            ),
            "upsert",
            str(contract["project"]["id"]),
        )
        tenant = TenantKey(client.company_id, "tenant-1")
        report = load_to_procore(client, engine, tenant, [write], run_id="retry")
        with engine.connect() as connection:
            held = connection.execute(select(exceptions.c.reason_code)).scalars().all()
    live = [
        p
        for p in sandbox.admin("procore", "GET", "state")["contract_payments"]
        if p.get("origin_id") == PAYMENT_ID and not p.get("deleted_at")
    ]
    assert [(p["id"], Decimal(str(p["amount"]))) for p in live] == [(first["id"], Decimal("1234.56"))]
    assert report.ids == {"xero/payments": {PAYMENT_ID: str(first["id"])}}
    assert held == []
