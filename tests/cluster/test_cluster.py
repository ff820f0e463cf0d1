"""docker-compose.yaml's Celery topology run for real (``make cluster``'s launcher): PostgreSQL, Redis, the
api-server, scheduler, dag-processor, triggerer and two Celery workers, driven through the REST API.

One hourly cycle end to end — extracts, Procore → Xero (its approval answered through the API), the
controller's month end, Xero extract, Xero → Procore, job costs, the drift report mailed — with two
failures in it: the worker writing the bills is SIGKILLed while a batch is in flight (after Xero applied the
batch before and lost its answer), and the scheduler is restarted in the middle of the Xero → Procore run.
The end state is checked as the ``dag.test()`` round trip checks it: every approved requisition is one bill
or held, each bill once; every Xero payment on a synced bill is one Procore payment, to the cent; job-cost
figures add up. The figures (wall time, task start latency, peak memory per worker) go to
``out/cluster-figures.json``; test_local_figures.py adds the same cycle on LocalExecutor.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import yaml

from sandbox.process import REPO_ROOT
from sandbox.scenario import run_month_end
from tests.browser.airflow_ui import AirflowApi
from tests.cluster.end_state import check_end_state
from tests.cluster.memory import PeakMemory
from tests.dags.test_procore_to_xero import xero_tenant
from tests.scheduler.test_real_scheduler import settle
from tools.airflow_standalone import DEMO_CONTROLLER, Standalone, StandaloneConfig
from tools.cluster import Cluster, ClusterConfig, running_cluster
from tools.extract_env import raise_limits

pytestmark = pytest.mark.slow

SCALE = 0.1
# A dead worker's task is failed after 20 s without heartbeat (compose: 120 s) and its write lease freed
# after 30 s (600 s by default): the retry then waits only for the DAG's retry_delay (2 minutes).
OVERRIDES = {"AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20", "PXSYNC_WRITE_LEASE_SECONDS": "30"}
BILLS_TASK = "tenant.bills"
DRIFT_DAY = "2026-01-15"
FIGURES = REPO_ROOT / "out" / "cluster-figures.json"
WAIT = 600.0
STARTUP: dict[str, float] = {}  # seconds until the cluster was up


@dataclass
class Cycle:
    """What one cycle measured: seconds per DAG, and every task instance it ran."""

    seconds: dict[str, float] = field(default_factory=dict)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    month_end: dict[str, Any] = field(default_factory=dict)  # what the controller entered in Xero

    def settle(
        self,
        airflow: Standalone,
        dag_id: str,
        conf: dict[str, Any] | None = None,
        during: Callable[[AirflowApi, str], None] | None = None,
    ) -> None:
        started = time.monotonic()
        runs = settle(airflow, dag_id, conf, during)
        self.seconds[dag_id] = round(time.monotonic() - started, 1)
        api = AirflowApi(airflow.config.base_url, airflow.token(), dag_id)
        self.tasks += [t for run in runs for t in api.task_states(run["dag_run_id"])]

    def figures(self) -> dict[str, Any]:
        """Wall time, and queued → running latency of the tasks' last tries (median, 95th percentile)."""
        latency = sorted(
            (parse(t["start_date"]) - parse(t["queued_when"])).total_seconds()
            for t in self.tasks
            if t["start_date"] and t["queued_when"] and t["state"] == "success"
        )
        return {
            "cycle_seconds": round(sum(self.seconds.values()), 1),
            "seconds_per_dag": self.seconds,
            "tasks": len(self.tasks),
            "start_latency_median_s": round(statistics.median(latency), 2),
            "start_latency_p95_s": round(latency[int(0.95 * (len(latency) - 1))], 2),
        }


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def enable_xero_purchase_orders(airflow: Standalone) -> None:
    """As the round trip does for the inbound half: the settings file every task reads, edited."""
    document = yaml.safe_load(airflow.config.settings.read_text())
    document["objects"]["xero_purchase_orders"]["enabled"] = True
    airflow.config.settings.write_text(yaml.safe_dump(document, sort_keys=False))


def hourly_cycle(
    airflow: Standalone,
    during_bills: Callable[[AirflowApi, str], None] | None = None,
    during_inbound: Callable[[AirflowApi, str], None] | None = None,
) -> Cycle:
    """The cycle through the REST API; ``during_*`` act on the Procore → Xero and Xero → Procore runs."""
    cycle = Cycle()
    cycle.settle(airflow, "procore_extract")
    cycle.settle(airflow, "procore_to_xero", during=during_bills)
    cycle.month_end = run_month_end(airflow.sandbox.xero_url)
    enable_xero_purchase_orders(airflow)
    cycle.settle(airflow, "xero_extract")
    cycle.settle(airflow, "xero_to_procore", during=during_inbound)
    cycle.settle(airflow, "job_costs")
    cycle.settle(airflow, "drift_report", {"date": DRIFT_DAY})
    return cycle


def wait_for(what: str, check: Callable[[], Any], timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"not within {timeout:.0f}s: {what}"
        time.sleep(0.3)
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """``make cluster`` on free ports in a throwaway home, a tenth of the demo seed, limits raised."""
    root = tmp_path_factory.mktemp("cluster")
    standalone = StandaloneConfig.throwaway(root, SCALE)
    started = time.monotonic()
    with running_cluster(ClusterConfig(standalone, overrides=OVERRIDES)) as running:
        raise_limits(running.running.sandbox)
        STARTUP["seconds"] = round(time.monotonic() - started, 1)
        yield running


def test_the_hourly_cycle_survives_a_dead_worker_and_a_scheduler_restart(cluster: Cluster) -> None:
    airflow = cluster.running
    sandbox, components = airflow.sandbox, airflow.components
    before = xero_tenant(sandbox)
    # Xero applies the first bill batch and the answer is lost; the resent batch then hangs in flight.
    for kind in ("drop_after_write", "timeout"):
        fault = {"kind": kind, "path": "/Invoices$", "method": "PUT", "count": 1, "delay_seconds": 900}
        sandbox.admin("xero", "POST", "faults", fault)
    killed: list[str] = []
    restarted: list[str] = []

    def kill_the_bill_writer(api: AirflowApi, run_id: str) -> None:
        wait_for("a bill batch in flight", lambda: sandbox.admin("xero", "GET", "stats")["faults_fired"])
        wait_for(
            "the resent batch hanging",
            lambda: "timeout" in sandbox.admin("xero", "GET", "stats")["faults_fired"],
        )
        task = api.get(f"{run_id}/taskInstances/{BILLS_TASK}/0")
        assert task["state"] == "running", task
        killed.append(task["hostname"])
        components.kill(task["hostname"])

    def restart_the_scheduler(api: AirflowApi, run_id: str) -> None:
        wait_for("a task of the run started", lambda: any(t["start_date"] for t in api.task_states(run_id)))
        components.restart("scheduler")
        restarted.append(run_id)

    workers = {name: process.pid for name, process in components.processes.items() if name in cluster.workers}
    memory = PeakMemory(lambda: {n: p.pid for n, p in components.processes.items() if n in cluster.workers})
    memory.start()
    try:
        cycle = hourly_cycle(airflow, kill_the_bill_writer, restart_the_scheduler)
    finally:
        peak_mb = memory.stop()
    record_figures(
        "celery",
        {
            **cycle.figures(),
            "startup_seconds": STARTUP["seconds"],
            "peak_pss_mb": peak_mb,
            "note": "includes a killed worker's retry (2 min retry_delay) and a scheduler restart",
        },
    )
    assert set(workers) == {"worker-1", "worker-2"} and len(killed) == 1 and len(restarted) == 1

    # The dead worker's bill task was retried on the other one, and succeeded there.
    (bills_task,) = [t for t in cycle.tasks if t["task_id"] == BILLS_TASK]
    assert bills_task["state"] == "success" and bills_task["try_number"] >= 2
    assert bills_task["hostname"] != killed[0]
    assert sandbox.admin("xero", "GET", "stats")["faults_fired"] == {"drop_after_write": 1, "timeout": 1}
    # Tasks ran on both workers.
    assert {t["hostname"] for t in cycle.tasks if t["hostname"]} == {"worker-1", "worker-2"}

    # No duplicate, no loss; money back to the cent; job costs add up; the drift report mailed.
    mail = (airflow.config.mail_dir, DRIFT_DAY, DEMO_CONTROLLER)
    check_end_state(sandbox, airflow.config.staging, before, cycle.month_end, mail)


def record_figures(executor: str, figures: dict[str, Any]) -> None:
    """Merge this executor's figures into ``out/cluster-figures.json`` and print them."""
    FIGURES.parent.mkdir(exist_ok=True)
    known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    known[executor] = {**figures, "cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2)}
    FIGURES.write_text(json.dumps(known, indent=2) + "\n")
    print(json.dumps({executor: known[executor]}, indent=2))
