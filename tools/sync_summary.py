"""Per-object figures of a sync DAG from its steps' results (``StepResult.to_dict()``, as the
``procore_to_xero``, ``xero_to_procore`` and ``job_costs`` tasks return them by XCom): what was created /
matched / updated / unchanged / deleted / held and the target API calls spent; and the exceptions waiting
per reason. Shared by ``make demo`` and ``make bench``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

WRITE_METHODS = ("PUT", "POST", "PATCH", "DELETE")
OUTCOMES = ("created", "matched", "updated", "unchanged", "deleted", "held")
LABELS = {
    "tracking_options": "tracking options",
    "items": "items",
    "contacts": "contacts",
    "purchase_orders": "purchase orders",
    "bills": "bills",
    "sales_invoices": "sales invoices",
    "vendors": "vendors",
    "payments": "payments issued",
    "xero_purchase_orders": "Xero POs",
    "direct_costs": "direct costs",
}


def split_calls(calls: Mapping[str, int]) -> tuple[int, int]:
    """(writes, reads) among ``{"METHOD path": n}`` calls."""
    writes = sum(n for call, n in calls.items() if call.split(" ", 1)[0] in WRITE_METHODS)
    return writes, sum(calls.values()) - writes


def load_totals(result: Mapping[str, Any]) -> Counter[str]:
    """The loader's counts summed over the step's target types."""
    totals: Counter[str] = Counter()
    for counts in result["load"]["counts"].values():
        totals.update({k: v for k, v in counts.items() if isinstance(v, int)})
    return totals


def step_row(result: Mapping[str, Any]) -> dict[str, int]:
    """One step's outcomes and calls; ``held`` = held by validation + held by the loader (conflicts)."""
    totals = load_totals(result)
    writes, reads = split_calls(result["load"]["calls"])
    return {
        "rows": result["rows"],
        "created": totals["created"],
        "matched": totals["matched_existing"],
        "updated": totals["updated"],
        "unchanged": totals["unchanged"],
        "deleted": totals["deleted"],
        "held": result["held"] + totals["held"],
        "failed": totals["failed"],
        "writes": writes,
        "reads": reads,
        "calls": writes + reads,
    }


def sync_rows(results: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """``{step: step_row}`` in the order given."""
    return {result["step"]: step_row(result) for result in results}


def waiting_by_reason(engine: Any, tenant: Any = None) -> dict[str, int]:
    """Open exceptions in the staging queue per reason code, most frequent first."""
    from procore_xero.staging import list_open

    reasons = Counter(e.problem.reason_code for e in list_open(engine, tenant))
    return dict(reasons.most_common())


def print_sync(rows: Mapping[str, Mapping[str, int]], waiting: Mapping[str, int]) -> None:
    """The per-object table, then the exceptions waiting per reason."""
    columns = (*OUTCOMES, "writes", "reads")
    print(f"  {'object':<17}" + "".join(f"{c:>10}" for c in columns))
    for step, row in rows.items():
        print(f"  {LABELS.get(step, step):<17}" + "".join(f"{row[c]:>10,}" for c in columns))
    total = {c: sum(r[c] for r in rows.values()) for c in columns}
    print(f"  {'total':<17}" + "".join(f"{total[c]:>10,}" for c in columns))
    every = sum(waiting.values())
    print(f"\n  exceptions waiting ({every:,}: every open one, as the page and drift report count):")
    for reason, count in waiting.items():
        print(f"    {reason:<30} {count:>6,}")
