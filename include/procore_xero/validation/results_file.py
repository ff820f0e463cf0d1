"""Validation results kept for the data team: one JSON file per run and object type.

Chosen over GX Data Docs: the ephemeral context has no store to render from, and a JSON file per run
(``<PXSYNC_DATA_DIR>/validation/<run_id>/<object>.json``) is what a notebook or a warehouse load reads.
It holds our summary, every failure with its exact values (amounts as strings, digit for digit) and GX's
own results (amounts there in integer cents, as GX compared them).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from procore_xero.staging.engine import data_dir
from procore_xero.validation.outcome import ValidationOutcome


def save_results(outcome: ValidationOutcome, run_id: str, directory: Path | None = None) -> Path:
    """Write the outcome under ``directory`` (default ``<data dir>/validation``); returns the file."""
    path = (directory or data_dir() / "validation") / _safe(run_id) / f"{outcome.object_type}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "run_id": run_id,
        "summary": outcome.summary(),
        "failures": [
            {
                "source_type": f.source_type,
                "source_id": f.source_id,
                "label": f.label,
                "reason_code": f.reason_code,
                "note": f.note,
                "message": f.message,
                **f.details(),
            }
            for f in outcome.failures
        ],
        "great_expectations": outcome.results,
    }
    path.write_text(json.dumps(document, indent=1, default=_exact, ensure_ascii=False), encoding="utf-8")
    return path


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _safe(run_id: str) -> str:
    """Airflow run ids hold ':' and '+', which are fine; path separators are not."""
    return run_id.replace("/", "_").replace("\\", "_")
