"""Every file in dags/ imports cleanly in Airflow's DagBag, and every DAG carries what operators rely on."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.process import REPO_ROOT

DAGS_DIR = REPO_ROOT / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
HEAVY_MODULES = {"pandas", "great_expectations", "sqlalchemy", "matplotlib", "numpy", "procore_xero.staging"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR), safe_mode=False)


def test_every_dag_file_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    files_with_dags = {Path(dag.fileloc).name for dag in dagbag.dags.values()}
    assert files_with_dags == {p.name for p in DAG_FILES}


def test_every_dag_has_owner_retries_tags_and_docs(dagbag) -> None:
    problems = []
    for dag_id, dag in dagbag.dags.items():
        if not dag.tags:
            problems.append(f"{dag_id}: no tags")
        if not (dag.doc_md or "").strip():
            problems.append(f"{dag_id}: no doc_md")
        for task in dag.tasks:
            if task.owner in ("", "airflow"):
                problems.append(f"{dag_id}.{task.task_id}: owner is {task.owner!r}")
            if not task.retries:
                problems.append(f"{dag_id}.{task.task_id}: no retries")
    assert problems == []


@pytest.mark.parametrize("path", DAG_FILES, ids=[p.name for p in DAG_FILES])
def test_dag_file_keeps_heavy_imports_out_of_module_level(path: Path) -> None:
    """The scheduler parses DAG files in a loop: pandas, GX and SQLAlchemy belong inside tasks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    imported = {alias.name for node in top_level if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in top_level if isinstance(node, ast.ImportFrom)}
    heavy = {name for name in imported if any(name == m or name.startswith(m + ".") for m in HEAVY_MODULES)}
    assert heavy == set()


def test_parsing_every_dag_file_loads_no_pandas_or_great_expectations() -> None:
    """What the DAG processor pays each parse: Airflow and our light modules, never the data stack."""
    script = (
        "import runpy, sys, json\n"
        f"for path in {[str(p) for p in DAG_FILES]!r}:\n"
        "    runpy.run_path(path)\n"
        "heavy = ('pandas', 'great_expectations', 'matplotlib')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=os.environ
    )
    assert json.loads(loaded.stdout.strip().splitlines()[-1]) == []
