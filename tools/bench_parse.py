"""``make bench``'s "DAG parse" section: how long Airflow's DagBag takes to parse each file in ``dags/``.

Each file is parsed in its own fresh interpreter, so the imports the file pulls in count: Airflow itself is
imported first and timed apart (every parse pays it once per process, whatever the file), then the file's
first parse (cold: its own imports), then ``REPEATS`` more parses (warm: the DAG processor's re-parse,
which re-executes the file with its imports cached). Whatever is in ``dags/`` at the time is measured;
nothing depends on DAG or task ids.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sandbox.process import REPO_ROOT
from tools.bench_out import BenchRow

DAGS_DIR = REPO_ROOT / "dags"
REPEATS = 5


def dag_files() -> list[Path]:
    """The files the DAG processor would parse (helpers starting with ``_`` are not DAG files)."""
    return sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))


def parse_in_this_process(path: str, repeats: int) -> dict[str, Any]:
    """Import Airflow, then parse ``path`` once cold and ``repeats`` times warm; seconds, what was found."""
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import DagBag

    imported = time.perf_counter()
    bag = DagBag(dag_folder=path, safe_mode=False)
    cold = time.perf_counter() - imported
    warm = []
    for _ in range(repeats):
        began = time.perf_counter()
        DagBag(dag_folder=path, safe_mode=False)
        warm.append(time.perf_counter() - began)
    return {
        "airflow_import_s": imported - started,
        "cold_s": cold,
        "warm_median_s": statistics.median(warm),
        "dags": len(bag.dags),
        "tasks": sum(len(d.tasks) for d in bag.dags.values()),
        "import_errors": len(bag.import_errors),
    }


def parse_file(path: Path, repeats: int = REPEATS) -> dict[str, Any]:
    """``parse_in_this_process`` in a fresh interpreter (its own imports); its figures plus the file name."""
    code = (
        "import json, sys; from tools.bench_parse import parse_in_this_process; "
        "print(json.dumps(parse_in_this_process(sys.argv[1], int(sys.argv[2]))))"
    )
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "AIRFLOW_HOME": os.environ.get("AIRFLOW_HOME", home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), str(repeats)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    return {"file": path.name, **json.loads(done.stdout.strip().splitlines()[-1])}


def bench_parse() -> tuple[list[BenchRow], list[dict[str, Any]]]:
    """Summary rows ``(section, case, value, unit, detail)`` and the per-file figures."""
    table = [parse_file(path) for path in dag_files()]
    rows = [
        (
            "DAG parse",
            f"{r['file']} (cold, fresh process)",
            r["cold_s"],
            "s",
            f"warm re-parse {r['warm_median_s'] * 1000:.0f} ms (median of {REPEATS}); {r['dags']} DAG(s), "
            f"{r['tasks']} tasks, {r['import_errors']} import errors; "
            f"+ Airflow import {r['airflow_import_s']:.2f} s",
        )
        for r in table
    ]
    return rows, table
