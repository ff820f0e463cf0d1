"""``make demo``: start both sandboxes with the demo seed and show what they hold.

Leaves ``out/demo/summary.json`` and the sandboxes' final state (``procore-state.json``,
``xero-state.json``) as DESIGN.md's contract says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.process import REPO_ROOT, start_sandbox

OUT_DIR = REPO_ROOT / "out" / "demo"


def count_collections(state: Any, prefix: str = "") -> dict[str, int]:
    """Flatten a ``/_sandbox/state`` document into ``{"tenant/collection": count}``."""
    counts: dict[str, int] = {}
    if isinstance(state, dict):
        for key, value in state.items():
            name = f"{prefix}{key}"
            if isinstance(value, list):
                counts[name] = len(value)
            elif isinstance(value, dict):
                counts.update(count_collections(value, f"{name}/"))
    return counts


def print_table(title: str, counts: dict[str, int]) -> None:
    print(f"\n{title}")
    width = max((len(k) for k in counts), default=10)
    for name, count in counts.items():
        print(f"  {name:<{width}}  {count:>7,}")


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox(OUT_DIR / "sandbox.log")
    try:
        states = {service: sandbox.admin(service, "GET", "state") for service in ("procore", "xero")}
        summary = {
            "sandbox": {"procore_url": sandbox.procore_url, "xero_url": sandbox.xero_url},
            "seed": "demo",
            "holds": {service: count_collections(state) for service, state in states.items()},
            "api_calls": {s: sandbox.admin(s, "GET", "stats")["total_calls"] for s in ("procore", "xero")},
        }
        for service, state in states.items():
            write_json(OUT_DIR / f"{service}-state.json", state)
        write_json(OUT_DIR / "summary.json", summary)
    finally:
        sandbox.stop()
    print(f"Sandboxes started with the demo seed (Procore {sandbox.procore_url}, Xero {sandbox.xero_url}).")
    print_table("Procore sandbox holds:", summary["holds"]["procore"])
    print_table("Xero sandbox holds:", summary["holds"]["xero"])
    print(f"\nWrote {OUT_DIR.relative_to(REPO_ROOT)}/summary.json, procore-state.json, xero-state.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
