"""
### Drift report (nightly)

The controller's Friday reconciliation spreadsheet, every morning: budget vs actuals per project and cost
code, Procore invoiced vs Xero billed per commitment, synced documents changed on one side since, and what
waits in the exception queue — e-mailed to the settings' `controller_emails` (connection `smtp_default`).

* **Reads** staging only (after the nightly `job_costs` run): Procore budgets, commitments, change orders
  and subcontractor invoices as extracted; the job-cost figures (Xero bills + spend money per budget code,
  in the project's and the base currency); the crosswalk; the exception queue.
* **Drift rules** are Great Expectations expectations (`include/procore_xero/reports/rules.py`); thresholds
  in the settings (`drift: amount`, `percent`: a budget drift is a finding above both). The failing rows
  are the findings, ranked by money at stake in the base currency.
* **Mail**: summary (projects in drift, money at stake, new since the last report, exceptions waiting with
  the link to *Required Actions*), a chart per project, the findings and every budget row as CSV. No
  findings: an "all reconciled" mail. A failed run: a failure mail instead of a stale report.
* Each report is also kept as `.eml` with its finding keys under `$PXSYNC_DATA_DIR/drift/<tenant id>/`.
* **Tenants**: one report per pair in the tenants file (`PXSYNC_TENANTS`, the task mapped over them), mailed
  to that tenant's `controller_emails`.
* **Params**: `date` (the report's date, `YYYY-MM-DD`; default the run's date).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Param, dag, task

from procore_xero.airflow.drift import DriftFailureNotifier
from procore_xero.tenants import TENANT_LABEL, tenant_names

DEFAULT_ARGS = {
    "owner": "data-team",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "on_failure_callback": [DriftFailureNotifier()],
}


@task(map_index_template=TENANT_LABEL)
def drift_report(tenant: str) -> dict[str, Any]:
    from procore_xero.airflow.drift import drift_report_task

    return drift_report_task(tenant)


@dag(
    dag_id="drift_report",
    schedule="0 4 * * *",  # after job_costs (02:00) has refreshed the figures
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["procore", "xero", "report"],
    doc_md=__doc__,
    max_active_runs=1,
    params={
        "date": Param(
            None,
            type=["null", "string"],
            format="date",
            description="The report's date (YYYY-MM-DD); default the run's logical date.",
        ),
    },
)
def drift_report_dag() -> None:
    drift_report.expand(tenant=tenant_names())


drift_report_dag()
