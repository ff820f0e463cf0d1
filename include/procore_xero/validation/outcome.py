"""What validation hands on: the rows to load, the failures to queue and GX's results for the data team."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Failure:
    """One reason one record failed: the queue's unit (one exception per record and reason).

    ``values`` are the failing row's values from the transform's frame (Decimal amounts, not GX's
    cents); ``note`` failures are reported but do not hold the record.
    """

    object_type: str
    source_type: str
    source_id: str
    label: str
    reason_code: str
    message: str
    expectation: str
    values: Mapping[str, Any]
    note: bool = False

    def details(self) -> dict[str, Any]:
        """What the exception queue stores as the failing values."""
        return {"expectation": self.expectation, "values": dict(self.values)}


@dataclass(frozen=True)
class ValidationOutcome:
    """``passed``: the rows to load (notes included); ``held``: the rows kept back; ``results``: GX's JSON."""

    object_type: str
    passed: pd.DataFrame
    held: pd.DataFrame
    failures: tuple[Failure, ...]
    results: Mapping[str, Any]

    @property
    def success(self) -> bool:
        return self.held.empty

    def summary(self) -> dict[str, Any]:
        """Counts per reason, for logs, the run summary and the saved results."""
        reasons: dict[str, int] = {}
        for failure in self.failures:
            reasons[failure.reason_code] = reasons.get(failure.reason_code, 0) + 1
        return {
            "object_type": self.object_type,
            "rows": len(self.passed) + len(self.held),
            "passed": len(self.passed),
            "held": len(self.held),
            "reasons": dict(sorted(reasons.items())),
        }
