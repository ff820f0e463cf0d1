"""The fault soak at CI size (``tools/soak.py``; ``make soak`` runs a longer one): a few hourly + nightly
cycles under every fault kind, a revocation, a worker killed mid-task and a spent Xero daily limit, then the
end state of both sandboxes against what the seed and the people's actions call for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sandbox.process import REPO_ROOT
from tools.soak_actions import SOAK_FAULTS

CI_ARGS = ("--cycles", "3", "--seed", "3", "--scale", "0.1")


@pytest.fixture(scope="module")
def soak(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One soak in its own process (it sets its own environment and sandbox); its figures."""
    work: Path = tmp_path_factory.mktemp("soak")
    out = work / "soak.json"
    run = subprocess.run(
        [sys.executable, "-m", "tools.soak", *CI_ARGS, "--out", str(out), "--work-dir", str(work / "run")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_nothing_is_created_twice_lost_or_changed_in_amount(soak: dict[str, Any]) -> None:
    assert (soak["duplicates"], soak["losses"], soak["amount_mismatches"]) == (0, 0, 0), soak["problems"]
    assert (soak["held_without_reason"], soak["held_but_synced"]) == (0, 0)
    assert soak["settled"], soak["settle_writes"]  # a clean run at the end writes nothing
    assert all(row["duplicates"] == 0 for row in soak["unique_keys"].values())
    for name, row in soak["records"].items():
        assert row["synced"] + row["held"] + row["missing"] == row["expected"], name


@pytest.mark.slow
def test_the_cycles_carried_new_work_both_ways(soak: dict[str, Any]) -> None:
    records, people = soak["records"], soak["people"]
    assert records["bills"]["synced"] > 100 and records["bills"]["held"] > 0  # held ones wait with reasons
    assert people["payments_deleted"] > 0  # and no live Procore payment left for it (else a duplicate)
    assert records["payments"]["expected"] == people["payments_made"] - people["payments_deleted"] > 0
    assert records["payments"]["synced"] == records["payments"]["expected"]
    assert records["direct_costs"]["synced"] == people["bills_entered_in_xero"] > 0
    assert people["invoices_approved_in_procore"] > 0


@pytest.mark.slow
def test_every_fault_kind_fired_and_the_run_survived_it(soak: dict[str, Any]) -> None:
    assert {kind: soak["faults_fired"].get(kind, 0) > 0 for kind in SOAK_FAULTS} == dict.fromkeys(
        SOAK_FAULTS, True
    )
    assert soak["people"]["token_revocations"] > 0 and sum(soak["answers_401"].values()) > 0
    assert soak["people"]["daily_limit_breaches"] > 0
    assert any("daily" in stop for stop in soak["runs_stopped_by_limit"])
    assert any(kill["mid_task"] and kill["exit"] == -9 for kill in soak["kills"])
