"""The figures' baseline: the cluster test's hourly cycle, without failures, on ``make airflow``'s launcher
(LocalExecutor: tasks forked from the scheduler). Runs only with ``PXSYNC_CLUSTER_COMPARE=1``; its own module,
so the cluster is stopped before it starts."""

from __future__ import annotations

import os

import pytest

from tests.cluster.memory import PeakMemory
from tests.cluster.test_cluster import SCALE, hourly_cycle, record_figures
from tools.airflow_standalone import StandaloneConfig, running_standalone
from tools.extract_env import raise_limits

pytestmark = pytest.mark.slow


@pytest.mark.skipif(os.environ.get("PXSYNC_CLUSTER_COMPARE") != "1", reason="PXSYNC_CLUSTER_COMPARE=1 only")
def test_the_same_cycle_on_local_executor(tmp_path_factory: pytest.TempPathFactory) -> None:
    """For the figures only: the cycle without failures on ``make airflow``'s LocalExecutor."""
    root = tmp_path_factory.mktemp("local")
    config = StandaloneConfig.throwaway(root, SCALE)
    with running_standalone(config) as running:
        raise_limits(running.sandbox)
        scheduler = {"scheduler": running.components.processes["scheduler"].pid}
        memory = PeakMemory(lambda: scheduler)
        memory.start()
        cycle = hourly_cycle(running)
        record_figures("local", {**cycle.figures(), "peak_pss_mb": memory.stop()})
    assert cycle.seconds.keys() >= {"procore_to_xero", "xero_to_procore", "drift_report"}
