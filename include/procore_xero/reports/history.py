"""What the last report found, so today's can say what is new: one small JSON file per tenant and day
under ``<data dir>/drift/<tenant id>/`` (finding keys and their base-currency amounts, readable by anyone)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

from procore_xero.reports.money import plain


def history_dir(root: Path, tenant_id: str) -> Path:
    return root / "drift" / tenant_id


def previous_keys(directory: Path, day: date) -> tuple[date | None, set[str] | None]:
    """The latest report before ``day``: its date and finding keys (None, None when there is none)."""
    dated = [(found, path) for path in directory.glob("*.json") if (found := _day(path)) and found < day]
    if not dated:
        return None, None
    last_day, last = max(dated)
    return last_day, set(json.loads(last.read_text(encoding="utf-8"))["findings"])


def save_keys(directory: Path, day: date, findings: pd.DataFrame) -> Path:
    """Keep today's finding keys (a re-run the same day replaces them)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{day.isoformat()}.json"
    amounts = dict(zip(findings["key"], map(plain, findings["at_stake_base"]), strict=True))
    document = {"date": day.isoformat(), "findings": amounts}
    path.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    return path


def _day(path: Path) -> date | None:
    try:
        return date.fromisoformat(path.stem)
    except ValueError:
        return None
