"""A bench section run alone merges its figures into ``out/bench.json`` and keeps everything else there."""

from __future__ import annotations

import json
from pathlib import Path

from tools.bench_out import merge_scale


def test_a_section_replaces_its_keys_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out" / "bench.json"
    out.parent.mkdir()
    earlier = {
        "results": [{"case": "sync", "value": 12.5}],
        "scale": {"airflow_over_library": 4.1, "task_instances_per_run": {"6": 9, "60": 60}},
    }
    out.write_text(json.dumps(earlier), encoding="utf-8")
    merge_scale({"airflow_over_library": 2.37, "task_instances_per_run": {"6": 7}}, out=out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["results"] == [{"case": "sync", "value": 12.5}]
    assert document["scale"] == {"airflow_over_library": 2.37, "task_instances_per_run": {"6": 7}}


def test_figures_by_seed_keep_the_other_seeds(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    merge_scale({"approval_to_bill_seconds": {"demo": {"po": 41.0}, "x10": {"po": 95.5}}}, out=out)
    merge_scale(
        {
            "approval_to_bill_seconds": {"demo": {"po": 38.25}},
            "first_extract_limit_share": {"share_min": 0.91},
        },
        by_seed=("approval_to_bill_seconds",),
        out=out,
    )
    scale = json.loads(out.read_text(encoding="utf-8"))["scale"]
    assert scale["approval_to_bill_seconds"] == {"demo": {"po": 38.25}, "x10": {"po": 95.5}}
    assert scale["first_extract_limit_share"] == {"share_min": 0.91}
