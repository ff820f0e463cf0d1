"""The mypy plugin of ``make lint``: a TaskFlow call takes an upstream XComArg, and still no wrong value."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

REPO = Path(__file__).resolve().parents[3]

DAG = """
from airflow.sdk import task


@task
def count(names: list[str]) -> int:
    return len(names)


@task
def names() -> list[str]:
    return ["a"]


count(names())
count(["b"])
count(5)
"""


@pytest.mark.slow
def test_a_task_takes_an_xcom_arg_but_not_a_wrong_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag = tmp_path / "dag.py"
    dag.write_text(DAG, encoding="utf-8")
    monkeypatch.chdir(REPO)  # pyproject.toml's paths (plugin, mypy_path) and .mypy_cache are the repo's
    out, _, status = api.run(["--config-file", "pyproject.toml", "--no-error-summary", str(dag)])
    errors = [line.split("dag.py:", 1)[1] for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert errors == [
        '17: error: Argument 1 has incompatible type "int"; expected "list[str] | XComArg"  [arg-type]'
    ], out
