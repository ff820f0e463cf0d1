"""Running the sync DAGs in-process against the sandbox, in the order a day brings them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.process import SandboxProcess
from sandbox.scenario import run_month_end
from tools.approvals import controller_answers
from tools.extract_env import load_dag, patched_environ, sandbox_now, settings_file

NO_DECISION: dict[str, list[int]] = {"approve": [], "reject": []}


def run(dag_id: str, sandbox: SandboxProcess, answer: Any = None) -> list[dict[str, Any]]:
    """One ``dag.test()`` run at the sandbox's time; its approval task (if any) gets ``answer``."""
    with controller_answers(answer or NO_DECISION, dag_id=dag_id) as sent:
        assert load_dag(dag_id).test(logical_date=sandbox_now(sandbox)).state == "success", dag_id
    return sent


def settings_with(tmp_path: Path, **enabled: bool) -> str:
    """A copy of the default settings with objects switched on or off (``xero_purchase_orders=True``)."""
    return str(settings_file(tmp_path / "settings.yaml", **enabled))


def month_end_round_trip(
    sandbox: SandboxProcess, tmp_path: Path, before_extract: Callable[[], Any] | None = None
) -> dict[str, Any]:
    """Procore -> Xero, the controller's month end in Xero, Xero extract, Xero -> Procore (Xero POs on),
    job costs. ``before_extract`` may add to Xero after the scenario. Returns the scenario's record
    (``sandbox.scenario.run_month_end``)."""
    run("procore_to_xero", sandbox)
    month = run_month_end(sandbox.xero_url)
    if before_extract is not None:
        before_extract()
    with patched_environ({"PXSYNC_SETTINGS": settings_with(tmp_path, xero_purchase_orders=True)}):
        run("xero_extract", sandbox)
        run("xero_to_procore", sandbox)
        run("job_costs", sandbox)
    return month
