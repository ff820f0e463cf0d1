"""Seeds: the JSON documents an emulator's state is loaded from (format in docs/sandbox.md)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

SEED_FORMAT = "pxsync-sandbox-seed/1"
DEMO_SEED_NUMBER = 2026


def generate_seed(scale: float = 1.0, seed_number: int = DEMO_SEED_NUMBER) -> dict[str, Any]:
    """The demo data set: a mid-sized general contractor. Same arguments, same data."""
    from sandbox.seed.procore_seed import generate_procore
    from sandbox.seed.xero_seed import generate_xero

    if scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(seed_number)
    procore = generate_procore(rng, scale)
    xero = generate_xero(rng, scale, procore)
    return {
        "format": SEED_FORMAT,
        "generator": {"seed_number": seed_number, "scale": scale},
        "procore": procore,
        "xero": xero,
    }


def load_seed(spec: str, scale: float = 1.0) -> dict[str, Any]:
    """``demo`` generates the demo seed at ``scale``; anything else is the path of a seed JSON file."""
    if spec == "demo":
        return generate_seed(scale)
    if scale != 1.0:
        raise ValueError("--scale applies to the generated demo seed only, not to a seed file")
    seed = json.loads(Path(spec).read_text(encoding="utf-8"))
    if seed.get("format") != SEED_FORMAT:
        raise ValueError(f"{spec}: 'format' must be {SEED_FORMAT!r}, found {seed.get('format')!r}")
    for section in ("procore", "xero"):
        if not isinstance(seed.get(section), dict):
            raise ValueError(f"{spec}: missing the {section!r} section")
    return seed


def summarise_seed(seed: dict[str, Any]) -> dict[str, Any]:
    """Counts per collection, for ``make demo`` and ``python -m sandbox summary``."""

    def counts(section: dict[str, Any]) -> dict[str, int]:
        return {name: len(rows) for name, rows in section.items() if isinstance(rows, list)}

    return {
        "procore": counts(seed["procore"]),
        "xero": {t["tenant_id"]: {"name": t["name"], **counts(t)} for t in seed["xero"]["tenants"]},
    }
