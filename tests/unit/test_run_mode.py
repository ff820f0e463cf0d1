"""A dry run is chosen in one place: ``RunMode`` builds the recording ports, and nothing else in the library
branches on ``dry_run`` (a new writer cannot forget a check it never has to make)."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import create_engine

from procore_xero.ledger import RecordingLedger, StagingLedger
from procore_xero.run_mode import RunMode
from procore_xero.staging import TenantKey
from procore_xero.to_procore.writer import ProcoreApiWriter, RecordingProcoreWriter
from procore_xero.to_xero.writer import RecordingXeroWriter, XeroApiWriter

LIBRARY = Path(__file__).resolve().parents[2] / "include" / "procore_xero"
THE_ONE_PLACE = LIBRARY / "run_mode.py"


def dry_run_branches(path: Path) -> list[int]:
    """Lines of ``path`` whose ``if`` / conditional expression / ``and`` / ``or`` tests ``dry_run``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        test = node.test if isinstance(node, ast.If | ast.IfExp | ast.While) else None
        test = node if isinstance(node, ast.BoolOp) else test
        if test is None:
            continue
        names = {n.id for n in ast.walk(test) if isinstance(n, ast.Name)}
        names |= {n.attr for n in ast.walk(test) if isinstance(n, ast.Attribute)}
        if "dry_run" in names:
            lines.append(node.lineno)
    return lines


def test_only_the_run_mode_branches_on_dry_run() -> None:
    found = {
        str(path.relative_to(LIBRARY)): lines
        for path in sorted(LIBRARY.rglob("*.py"))
        if path != THE_ONE_PLACE and (lines := dry_run_branches(path))
    }
    assert found == {}
    assert len(dry_run_branches(THE_ONE_PLACE)) == 3  # the ledger, the Xero writer, the Procore writer


def test_a_dry_run_gets_recording_ports_and_a_real_run_writing_ones() -> None:
    engine, tenant = create_engine("sqlite://"), TenantKey(1, "t")
    client = object()  # the ports only keep it
    dry, real = RunMode(dry_run=True), RunMode()
    assert isinstance(dry.ledger(engine, tenant, "r"), RecordingLedger)
    assert isinstance(dry.xero_writer(client), RecordingXeroWriter)  # type: ignore[arg-type]
    assert isinstance(dry.procore_writer(client), RecordingProcoreWriter)  # type: ignore[arg-type]
    assert real.ledger(engine, tenant, "r") == StagingLedger(engine, tenant, "r")
    assert real.xero_writer(client) == XeroApiWriter(client)  # type: ignore[arg-type]
    assert real.procore_writer(client) == ProcoreApiWriter(client)  # type: ignore[arg-type]
