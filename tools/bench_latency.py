"""Latency from a Procore approval to the document in Xero through the real scheduler (issue 17).

Per seed scale, on ``make airflow``'s setup (PostgreSQL metadata, LocalExecutor, the intake and triggerer)
in a throwaway home, limits raised: the first extract and sync settle, ``procore_feeds`` registers the hook;
then two approvals through Procore's API, each timed until the exact document is in Xero:

* a Draft purchase order approved: Procore's webhook delivery reaches the intake, the Asset watcher starts
  ``procore_feeds``, its extract event starts ``procore_to_xero``, which posts the PO;
* an under-review subcontractor invoice approved: Procore publishes no webhook for requisitions, so only the
  sweep reads it. The bench sets the home's ``feeds.sweep.every_hours.requisitions`` to every cycle
  (``EVERY_CYCLE_HOURS``) and triggers ``procore_feeds`` as its hourly tick does, cycle after cycle, until the
  bill is in Xero: the seconds from the approval and the cycles it took (the sweep reads the most overdue
  (type, project) slots first within ``calls_per_hour``). Add the wait for the tick (up to an hour with
  the shipped cron) to get what a customer sees.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from sandbox.process import SandboxProcess
from tests.browser.airflow_ui import FINISHED, AirflowApi
from tests.integration.sandbox.procore_api import V10, ProcoreApi
from tests.scheduler.test_real_scheduler import NO_DECISION, settle
from tools.airflow_standalone import Standalone, StandaloneConfig, running_standalone
from tools.bench_airflow import moment
from tools.bench_out import BenchRow, report_section
from tools.extract_env import raise_limits

EVERY_CYCLE_HOURS = 1 / 3600  # a requisition slot read a second ago is due again: read on every cycle
DELIVERY_TIMEOUT = 900.0  # approval -> PO through the delivery, before giving up
CYCLE_TIMEOUT = 600.0  # one procore_feeds cycle, then its sync, at a large seed
MAX_SWEEP_CYCLES = 12  # 250 requisition slots at 40 calls a cycle need 7
SEND_STAGE = "Send to Xero"
PIPELINE = ("procore_feeds", "procore_to_xero")


def label(scale: float) -> str:
    return "demo" if scale == 1 else f"scale_{scale:g}"


def xero_numbers(sandbox: SandboxProcess) -> dict[str, set[str]]:
    """Every PurchaseOrderNumber and ACCPAY InvoiceNumber in the Xero sandbox, all tenants."""
    tenants = sandbox.admin("xero", "GET", "state")["tenants"].values()
    return {
        "po": {po["PurchaseOrderNumber"] for t in tenants for po in t.get("PurchaseOrders", [])},
        "bill": {i["InvoiceNumber"] for t in tenants for i in t.get("Invoices", []) if i["Type"] == "ACCPAY"},
    }


def sendable_projects(state: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["id"]: p for p in state["projects"] if p["project_stage"]["name"] == SEND_STAGE}


def po_number(settings: dict[str, Any], project: dict[str, Any], commitment: dict[str, Any]) -> str:
    """The Xero PurchaseOrderNumber the sync gives a commitment (``settings.po_number``)."""
    job = project.get("project_number") or project["id"]  # ``{job_number}``: the project id when it has none
    return str(settings["po_number"]).format(job_number=job, number=commitment["number"])


def draft_purchase_order(state: dict[str, Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The smallest Draft purchase order of a project the sync sends (the least likely to be held above
    the remaining budget), and the Xero PO number it will carry."""
    projects = sendable_projects(state)
    drafts = [
        c
        for c in state["purchase_order_contracts"]
        if c["status"] == "Draft" and c["project"]["id"] in projects
    ]
    if not drafts:
        raise RuntimeError("the seed has no Draft purchase order in a project at the send stage to approve")
    po = min(drafts, key=lambda c: float(c.get("grand_total") or 0))
    return po, po_number(settings, projects[po["project"]["id"]], po)


def pending_requisition(
    state: dict[str, Any], settings: dict[str, Any], in_xero: set[str]
) -> tuple[dict[str, Any], str]:
    """An under-review subcontractor invoice of a project the sync sends whose previous invoice on the same
    commitment is already a bill in Xero (so its vendor, items and project are known there), and the bill
    number it will carry."""
    projects = sendable_projects(state)
    commitments = {
        c["id"]: c
        for kind in ("work_order_contracts", "purchase_order_contracts")
        for c in state[kind]
        if c["status"] == "Approved" and c["project"]["id"] in projects
    }

    def bill_number(requisition: dict[str, Any], number: int) -> str:
        commitment = commitments[requisition["commitment_id"]]
        return str(settings["bill_reference"]).format(
            po_number=po_number(settings, projects[commitment["project"]["id"]], commitment),
            requisition_number=number,
            invoice_number=requisition["invoice_number"],
        )

    requisition = next(
        (
            r
            for r in state["requisitions"]
            if r["status"] == "under_review"
            and r["commitment_id"] in commitments
            and bill_number(r, r["number"] - 1) in in_xero
        ),
        None,
    )
    if requisition is None:
        raise RuntimeError("no under-review invoice whose previous invoice on its commitment is in Xero")
    return requisition, bill_number(requisition, requisition["number"])


def quiesce(airflow: Standalone) -> None:
    """Until no run of the pipeline is open (held records answered with no decision), so an approval is
    timed from a quiet system, not picked up by a run already in flight."""
    apis = [AirflowApi(airflow.config.base_url, airflow.token(), dag_id) for dag_id in PIPELINE]
    deadline = time.monotonic() + CYCLE_TIMEOUT
    while time.monotonic() < deadline:
        open_runs = [(api, r["dag_run_id"]) for api in apis for r in api.runs() if r["state"] not in FINISHED]
        if not open_runs:
            return
        for api, run_id in open_runs:
            for task in api.task_states(run_id):
                if task["state"] == "awaiting_input":
                    api.answer(run_id, task, NO_DECISION).raise_for_status()
        time.sleep(2)
    raise RuntimeError(f"{', '.join(PIPELINE)} still running after {CYCLE_TIMEOUT:.0f} s")


def run_starts(airflow: Standalone, since: datetime) -> dict[str, float | None]:
    """Seconds from ``since`` to the first run of each pipeline DAG started after it (None: none)."""
    starts: dict[str, float | None] = {}
    for dag_id in PIPELINE:
        api = AirflowApi(airflow.config.base_url, airflow.token(), dag_id)
        moments = [moment(r["start_date"]) for r in api.runs() if r.get("start_date")]
        later = [m for m in moments if m >= since]
        starts[dag_id] = round((min(later) - since).total_seconds(), 1) if later else None
    return starts


def approve(procore: ProcoreApi, path: str, body: dict[str, Any]) -> float:
    """PATCH the approval; the monotonic moment Procore answered it."""
    response = procore.call("PATCH", path, json=body)
    if response.status_code != 200:
        raise RuntimeError(f"approval {path} refused: {response.status_code} {response.text[:300]}")
    return time.monotonic()


def wait_for(arrived: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if arrived():
            return True
        time.sleep(1)
    return arrived()


def commitment_latency(airflow: Standalone, settings: dict[str, Any]) -> dict[str, Any]:
    """Draft PO approved -> the PO in Xero, through the webhook delivery alone (nothing triggered)."""
    procore = ProcoreApi(airflow.sandbox)
    po, number = draft_purchase_order(procore.state(), settings)
    body = {"project_id": po["project"]["id"], "purchase_order_contract": {"status": "approved"}}
    quiesce(airflow)
    approved_at = datetime.now(UTC)
    approved = approve(procore, f"{V10}/purchase_order_contracts/{po['id']}", body)
    if not wait_for(lambda: number in xero_numbers(airflow.sandbox)["po"], DELIVERY_TIMEOUT):
        raise RuntimeError(
            f"PO {number} (Procore {po['id']}) not in Xero {DELIVERY_TIMEOUT:.0f} s after approval"
        )
    return {
        "seconds": round(time.monotonic() - approved, 1),
        "run_started_after": run_starts(airflow, approved_at),
        "procore_id": po["id"],
        "xero_number": number,
    }


def set_requisitions_every_cycle(airflow: Standalone) -> None:
    """The operator's choice the bench measures: requisitions read by the sweep on every cycle."""
    document = yaml.safe_load(airflow.config.settings.read_text())
    document["settings"]["feeds"]["sweep"]["every_hours"]["requisitions"] = EVERY_CYCLE_HOURS
    airflow.config.settings.write_text(yaml.safe_dump(document, sort_keys=False))


def requisition_latency(airflow: Standalone, settings: dict[str, Any]) -> dict[str, Any]:
    """Under-review requisition approved -> the bill in Xero, procore_feeds ticked as its cron does."""
    procore = ProcoreApi(airflow.sandbox)
    in_xero = xero_numbers(airflow.sandbox)["bill"]
    requisition, number = pending_requisition(procore.state(), settings, in_xero)
    body = {
        "project_id": requisition["project_id"],
        "commitment_id": requisition["commitment_id"],
        "requisition": {"status": "approved"},
    }
    quiesce(airflow)
    approved_at = datetime.now(UTC)
    approved = approve(procore, f"{V10}/requisitions/{requisition['id']}", body)
    feeds = AirflowApi(airflow.config.base_url, airflow.token(), "procore_feeds")
    for cycle in range(1, MAX_SWEEP_CYCLES + 1):
        run = feeds.trigger()
        if feeds.finished(run, CYCLE_TIMEOUT) != "success":
            raise RuntimeError(feeds.report(run, airflow.config.home / "logs", None))
        if wait_for(lambda: number in xero_numbers(airflow.sandbox)["bill"], CYCLE_TIMEOUT):
            return {
                "seconds": round(time.monotonic() - approved, 1),
                "sweep_cycles": cycle,
                "run_started_after": run_starts(airflow, approved_at),
                "procore_id": requisition["id"],
                "xero_number": number,
            }
    raise RuntimeError(f"bill {number} not in Xero after {MAX_SWEEP_CYCLES} procore_feeds cycles")


def bench_scale(scale: float) -> dict[str, Any]:
    """One seed scale through a fresh ``make airflow``: both latencies, the project count, the sweep's
    budget and requisition interval they were measured with."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-latency-") as root,
        running_standalone(StandaloneConfig.throwaway(Path(root), scale)) as airflow,
    ):
        raise_limits(airflow.sandbox)
        settle(airflow, "procore_extract")  # the first full extract, then the sync it starts
        settle(airflow, "procore_to_xero")
        settle(airflow, "procore_feeds")  # registers the hook
        settings = yaml.safe_load(airflow.config.settings.read_text())["settings"]
        commitment = commitment_latency(airflow, settings)
        set_requisitions_every_cycle(airflow)
        requisition = requisition_latency(airflow, settings)
        projects = len(airflow.sandbox.admin("procore", "GET", "state")["projects"])
    return {
        "projects": projects,
        "commitment_to_po_seconds": commitment["seconds"],
        "requisition_to_bill_seconds": requisition["seconds"],
        "requisition_sweep_cycles": requisition["sweep_cycles"],
        "sweep_calls_per_cycle": settings["feeds"]["sweep"]["calls_per_hour"],
        "requisitions_every_hours": EVERY_CYCLE_HOURS,
        "documents": {"po": commitment, "bill": requisition},
    }


def started(document: dict[str, Any]) -> str:
    """Where the time went: when each DAG's first run after the approval started."""
    return ", ".join(f"{dag_id} started +{s} s" for dag_id, s in document["run_started_after"].items())


def bench_latency(scales: list[float]) -> tuple[list[BenchRow], dict[str, Any]]:
    """Rows for the table and the ``scale`` key ``approval_to_bill_seconds`` (seed label -> figures)."""
    rows: list[BenchRow] = []
    figures: dict[str, Any] = {}
    for scale in scales:
        result = figures[label(scale)] = bench_scale(scale)
        where = f"{result['projects']} projects"
        rows += [
            (
                "latency",
                f"PO approval -> PO in Xero (webhook), {where}",
                result["commitment_to_po_seconds"],
                "s",
                started(result["documents"]["po"]),
            ),
            (
                "latency",
                f"invoice approval -> bill in Xero (sweep), {where}",
                result["requisition_to_bill_seconds"],
                "s",
                f"{result['requisition_sweep_cycles']} procore_feeds cycle(s) triggered at once (plus the "
                f"wait for the hourly tick); {started(result['documents']['bill'])}",
            ),
        ]
    return rows, {"approval_to_bill_seconds": figures}


def main(argv: list[str] | None = None) -> int:
    """This section alone (``python -m tools.bench_latency``), its key merged into ``out/bench.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", type=float, nargs="+", default=[1, 10], help="seed scales (default: 1 10)"
    )
    rows, keys = bench_latency(parser.parse_args(argv).scales)
    return report_section(rows, keys, decimals=1, by_seed=("approval_to_bill_seconds",))


if __name__ == "__main__":
    raise SystemExit(main())
