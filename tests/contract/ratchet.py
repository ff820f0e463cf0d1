"""The known-deviations ratchet: ``known_deviations.yaml`` lists every deviation from Procore's contract
still tolerated, grouped by resource. A check fails on a deviation the file does not list AND on a listed
one that no longer occurs, so the list only shrinks (delete the entries your change fixed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from tests.contract.published import Contract
from tests.contract.validate import Deviation

KNOWN = Path(__file__).with_name("known_deviations.yaml")
CHECKS = ("routes", "answers", "requests")  # which test observes an entry


def known(check: str) -> set[Deviation]:
    """The listed deviations one check (``routes``, ``answers``, ``requests``) must still observe."""
    document = yaml.safe_load(KNOWN.read_text(encoding="utf-8")) or {}
    listed: set[Deviation] = set()
    for resource, entries in document.items():
        for entry in entries or []:
            if entry.get("check") not in CHECKS or not entry.get("why"):
                raise ValueError(f"{KNOWN.name} {resource}: each entry needs a check in {CHECKS} and a why")
            if entry["check"] == check:
                listed.add(Deviation(entry["where"], entry.get("field", ""), entry["kind"]))
    return listed


def entry_line(contract: Contract, check: str, deviation: Deviation) -> str:
    """How ``known_deviations.yaml`` spells an entry (under its resource), for the failure message."""
    method, _, path = deviation.where.partition(" ")
    fields = {"check": check, "where": deviation.where, "field": deviation.field, "kind": deviation.kind}
    flow = yaml.safe_dump({**fields, "why": "..."}, default_flow_style=True, width=10_000, sort_keys=False)
    return f"{contract.resource_of(method, path)}:  - {flow.strip()}"


def ratchet(contract: Contract, check: str, found: Iterable[Deviation]) -> None:
    """Fail with both lists when the observed deviations differ from the listed ones."""
    observed, listed = set(found), known(check)
    new, fixed = sorted(observed - listed), sorted(listed - observed)
    problems = []
    if new:
        problems.append(
            f"{len(new)} deviation(s) from Procore's contract not in {KNOWN.name} (fix them; list one only "
            "with a reason):\n" + "\n".join(entry_line(contract, check, d) for d in new)
        )
    if fixed:
        problems.append(
            f"{len(fixed)} listed deviation(s) no longer occur: delete them from {KNOWN.name}:\n"
            + "\n".join(entry_line(contract, check, d) for d in fixed)
        )
    assert not problems, "\n\n".join(problems)
