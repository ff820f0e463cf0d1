"""The hourly cycle through ``dag.test()``, run by the runtime-only virtualenv's python
(``python -m tests.cluster.runtime_cycle``, from test_runtime_lock.py): procore_extract, then the DAG tests'
round trip (procore_to_xero with its approval answered through the REST API, the controller's month end,
xero_extract, xero_to_procore, job_costs), then drift_report for the given day.

The environment (connections to the running sandbox, staging database, SMTP, settings, AIRFLOW_HOME) is the
test's; the month end's record goes to ``<work>/month-end.json`` for the test's checks. Only what the runtime
lock installs may be imported here, or by what this imports."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sandbox.process import SandboxProcess
from tests.dags.round_trip import month_end_round_trip, run
from tools.extract_env import init_airflow_db, load_dag, sandbox_now

MONTH_END = "month-end.json"


def hourly_cycle(sandbox: SandboxProcess, work: Path, day: str) -> None:
    """A fresh metadata database, then the DAGs in the order an hour and the night bring them."""
    init_airflow_db()
    run("procore_extract", sandbox)
    month = month_end_round_trip(sandbox, work)
    report = load_dag("drift_report").test(logical_date=sandbox_now(sandbox), run_conf={"date": day})
    if report.state != "success":
        raise SystemExit(f"drift_report ended {report.state}")
    (work / MONTH_END).write_text(json.dumps(month))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procore_url")
    parser.add_argument("xero_url")
    parser.add_argument("work", type=Path, help="a directory for settings copies and month-end.json")
    parser.add_argument("day", help="the drift report's date, YYYY-MM-DD")
    args = parser.parse_args()
    sandbox = SandboxProcess(args.procore_url, args.xero_url, process=None, log_path=None)
    hourly_cycle(sandbox, args.work, args.day)


if __name__ == "__main__":
    main()
