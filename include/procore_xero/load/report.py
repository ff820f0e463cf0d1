"""What one load did, per target type: small plain data for XCom and the run summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class TypeCounts:
    """Records of one target type by outcome (in a dry run: what would happen)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    matched_existing: int = 0
    held: int = 0
    failed: int = 0
    deleted: int = 0  # reversed in the target (a payment deleted in Xero)


@dataclass
class LoadReport:
    """``counts`` per target type; ``ids`` per source type: source id -> target id of every record now in
    the target (created, updated, unchanged or matched); ``calls``: the API calls this load spent."""

    dry_run: bool
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    ids: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def count(self, target_type: str) -> TypeCounts:
        return self.counts.setdefault(target_type, TypeCounts())

    def link(self, source_type: str, source_id: str, target_id: str) -> None:
        self.ids.setdefault(source_type, {})[source_id] = target_id

    @property
    def writes(self) -> int:
        """Write calls spent (PUT, POST, PATCH, DELETE)."""
        return sum(
            n for call, n in self.calls.items() if call.split(" ", 1)[0] in ("PUT", "POST", "PATCH", "DELETE")
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def calls_between(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The calls made between two ``XeroClient.calls`` snapshots."""
    spent = Counter(after)
    spent.subtract(before)
    return {call: n for call, n in sorted(spent.items()) if n > 0}
