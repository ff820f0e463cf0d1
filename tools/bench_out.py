"""``out/bench.json``: ``make bench`` writes the whole document; a section run alone (``python -m
tools.bench_airflow`` and the like) merges its own figures into the ``scale`` keys, keeping the rest."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sandbox.process import REPO_ROOT

OUT = REPO_ROOT / "out" / "bench.json"
BenchRow = tuple[str, str, float, str, str]  # section, case, value, unit, detail


def write_bench(document: Mapping[str, Any], out: Path = OUT) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")


def merge_scale(figures: Mapping[str, Any], by_seed: Iterable[str] = (), out: Path = OUT) -> None:
    """Put ``figures`` under ``scale`` in ``out``; a key named in ``by_seed`` holds figures per seed and is
    merged one level down, so that a run of some seeds keeps the others' figures."""
    document = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    scale = document.setdefault("scale", {})
    nested = set(by_seed)
    for key, value in figures.items():
        scale[key] = {**scale.get(key, {}), **value} if key in nested else value
    write_bench(document, out)


def report_section(
    rows: list[BenchRow], figures: Mapping[str, Any], decimals: int, by_seed: Iterable[str] = ()
) -> int:
    """A section run alone: its rows printed, its figures merged into ``out/bench.json``; the exit status."""
    for section, case, value, unit, detail in rows:
        print(f"{section:8} {case:60} {value:10.{decimals}f} {unit:2} {detail}")
    merge_scale(figures, by_seed)
    return 0
