"""The hourly extract through Airflow's real scheduler vs. the same library calls in one process.

Per seed scale: ``make airflow``'s setup (PostgreSQL metadata, LocalExecutor, every component) on free
ports in a throwaway home, limits raised; ``procore_extract`` and ``xero_extract`` triggered once to stage
everything, then once more with nothing changed: that cycle's wall time (both triggered together, until
both runs have finished) and its task instances. Then the same no-change cycle through the library
(``extract.account``, the functions the tasks call) in a fresh process on the same staging database.
``airflow_over_library`` = Airflow's wall time ÷ the library's; ``task_instances_per_run`` by project count.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.browser.airflow_ui import FINISHED, AirflowApi
from tools.airflow_standalone import Standalone, StandaloneConfig, running_standalone
from tools.bench_out import BenchRow, report_section
from tools.extract_env import raise_limits

HOURLY = ("procore_extract", "xero_extract")
RUN_TIMEOUT = 1800.0


def library_cycle(env: dict[str, str]) -> float:
    """In a fresh process with the DAGs' environment: both extracts through the library, seconds."""
    os.environ.update(env)
    from procore_xero.airflow.tenancy import pair_named
    from procore_xero.extract.account import extract_procore_account, extract_xero_account
    from procore_xero.staging import TaskTry, open_staging

    pair, engine = pair_named("default"), open_staging()
    started = time.perf_counter()
    run = TaskTry("bench", f"library-{started}", "extract")
    procore = extract_procore_account(pair.procore, engine, task_try=run, window_end=datetime.now(UTC))
    xero = extract_xero_account(pair.xero(), engine, task_try=run)
    seconds = time.perf_counter() - started
    if {procore["status"], xero["status"]} != {"success"}:
        raise RuntimeError(f"library extract not complete: {procore} {xero}")
    return seconds


def airflow_cycle(airflow: Standalone) -> tuple[float, dict[str, int], str]:
    """Trigger both hourly DAGs, wait for both runs: the wall time (from the trigger to the later run's end
    as Airflow records it), each run's task instances, and where the time went (each task's duration)."""
    apis = {dag_id: AirflowApi(airflow.config.base_url, airflow.token(), dag_id) for dag_id in HOURLY}
    triggered = datetime.now(UTC)
    runs = {dag_id: api.trigger() for dag_id, api in apis.items()}
    states = {dag_id: apis[dag_id].finished(run_id, RUN_TIMEOUT) for dag_id, run_id in runs.items()}
    logs = airflow.config.home / "logs"
    for dag_id, state in states.items():
        if state != "success":
            raise RuntimeError(apis[dag_id].report(runs[dag_id], logs, None))
    ended = max(moment(apis[dag_id].get(run)["end_date"]) for dag_id, run in runs.items())
    tasks = {dag_id: apis[dag_id].task_states(run) for dag_id, run in runs.items()}
    spent = ", ".join(
        f"{dag_id}.{t['task_id']} {t['duration']:.1f} s" for dag_id, ts in tasks.items() for t in ts
    )
    return (ended - triggered).total_seconds(), {dag_id: len(ts) for dag_id, ts in tasks.items()}, spent


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def settle_scheduled(airflow: Standalone) -> None:
    """Wait for the runs the scheduler adds on its own when a DAG is unpaused (the latest interval)."""
    for dag_id in HOURLY:
        api = AirflowApi(airflow.config.base_url, airflow.token(), dag_id)
        deadline = time.monotonic() + RUN_TIMEOUT
        while any(run["state"] not in FINISHED for run in api.runs()) and time.monotonic() < deadline:
            time.sleep(1)


def bench_scale(scale: float) -> dict[str, Any]:
    """One seed scale: the no-change cycle's seconds through Airflow and the library, task instances."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-airflow-") as root,
        running_standalone(StandaloneConfig.throwaway(Path(root), scale)) as airflow,
    ):
        raise_limits(airflow.sandbox)
        airflow_cycle(airflow)  # the first full extract
        settle_scheduled(airflow)
        seconds, instances, spent = airflow_cycle(airflow)
        projects = len(airflow.sandbox.admin("procore", "GET", "state")["projects"])
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            library = pool.submit(library_cycle, airflow.env).result()
    return {
        "projects": projects,
        "airflow_seconds": seconds,
        "library_seconds": library,
        "instances": instances,
        "spent": spent,
    }


def bench_airflow(scales: list[float]) -> tuple[list[BenchRow], dict[str, Any]]:
    """Rows for the table and the ``scale`` keys: ``airflow_over_library`` (demo seed, else the first
    scale) and ``task_instances_per_run`` (project count -> task instances of one ``procore_extract`` run)."""
    rows: list[BenchRow] = []
    ratios: dict[int, float] = {}
    instances: dict[int, int] = {}
    for scale in scales:
        result = bench_scale(scale)
        projects = result["projects"]
        label = f"{projects} projects"
        ratios[projects] = result["airflow_seconds"] / result["library_seconds"]
        instances[projects] = result["instances"]["procore_extract"]
        rows += [
            (
                "airflow",
                f"no-change extract cycle, Airflow, {label}",
                result["airflow_seconds"],
                "s",
                result["spent"],
            ),
            ("airflow", f"no-change extract cycle, library, {label}", result["library_seconds"], "s", ""),
            ("airflow", f"Airflow ÷ library, {label}", ratios[projects], "×", "goal ≤ 3 (was 63)"),
            ("airflow", f"task instances per procore_extract run, {label}", instances[projects], "", ""),
        ]
    demo = next(iter(ratios))
    return rows, {
        "airflow_over_library": round(ratios[demo], 2),
        "airflow_over_library_by_projects": {n: round(r, 2) for n, r in ratios.items()},
        "task_instances_per_run": instances,
    }


def main(argv: list[str] | None = None) -> int:
    """This section alone (``python -m tools.bench_airflow``), its keys merged into ``out/bench.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", type=float, nargs="+", default=[1, 10], help="seed scales (default: 1 10)"
    )
    rows, keys = bench_airflow(parser.parse_args(argv).scales)
    return report_section(rows, keys, decimals=2)


if __name__ == "__main__":
    raise SystemExit(main())
