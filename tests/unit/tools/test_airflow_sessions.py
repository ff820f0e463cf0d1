"""The session driver's own reading: the launcher's ready banner, a mailed drift report's headline, the table
of sessions. The sessions themselves are run for real (``python -m tools.airflow_sessions``), not here."""

from __future__ import annotations

import json
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from procore_xero.reports.message import render_report
from procore_xero.reports.report import compute_report
from tests.unit.reports.books import SETTINGS, books
from tools.airflow_standalone import Standalone, StandaloneConfig, banner, write_settings
from tools.session_launch import launcher_args, parse_banner
from tools.session_record import SessionRecord, StepRecord, as_json, drift_headline, from_json, markdown


def test_the_ready_banner_gives_url_login_sandboxes_and_mail_folder(tmp_path: Path) -> None:
    config = StandaloneConfig(home=tmp_path / "home", data_dir=tmp_path / "data", port=18080)
    config.home.mkdir()
    write_settings(config)
    sandbox: Any = SimpleNamespace(procore_url="http://127.0.0.1:41001", xero_url="http://127.0.0.1:41002")
    postgres: Any = SimpleNamespace(port=41003, root=config.home / "postgres")
    printed = banner(Standalone(config, sandbox, postgres, {}, "s3cr-t_pw", None), 47.4)  # type: ignore[arg-type]

    assert parse_banner("Starting the sandboxes …\n") is None
    found = parse_banner("Starting …\n" + printed)
    assert found is not None
    assert (found.ready_seconds, found.url, found.user, found.password) == (
        47,
        "http://localhost:18080",
        "admin",
        "s3cr-t_pw",
    )
    assert (found.procore_url, found.xero_url) == ("http://127.0.0.1:41001", "http://127.0.0.1:41002")
    assert found.mail_dir == tmp_path / "data" / "mail"


def test_make_airflow_is_run_with_the_home_data_dir_and_free_ports(tmp_path: Path) -> None:
    command = launcher_args(tmp_path / "home", tmp_path / "data")
    assert command[:3] == ["make", "--no-print-directory", "airflow"]
    args = command[3].removeprefix("AIRFLOW_ARGS=").split()
    options = dict(zip(args[::2], args[1::2], strict=True))
    assert options["--home"] == str(tmp_path / "home") and options["--data-dir"] == str(tmp_path / "data")
    assert options["--procore-port"] == options["--xero-port"] == "0"
    assert all(int(options[flag]) > 1024 for flag in ("--port", "--worker-log-port", "--trigger-log-port"))


def test_the_headline_is_read_from_a_rendered_drift_report() -> None:
    report = compute_report(books(), SETTINGS, report_date=date(2026, 11, 21))
    rendered = render_report(
        report, recipients=["c@example.com"], from_email="a@example.com", ui_url="http://ui"
    )
    message = message_from_bytes(bytes(rendered.message), policy=policy.default)

    assert drift_headline(message) == {  # type: ignore[arg-type]
        "Projects in drift": "2 of 2 synced",
        "Drift at stake": "USD 5,994.44",
        "Held in the exception queue": "USD 500.00",
        "Findings": "6",
        "New since the last report": "n/a (no earlier report)",
        "Waiting in the exception queue": "2 (1 for your approval)",
    }


def test_the_table_has_a_column_per_session_and_marks_failures() -> None:
    first = SessionRecord(
        1, "fresh", "2026-12-05T23:00:05+00:00", 41.6, 40, 3.2, exit_code=0, stop_seconds=9.4
    )
    first.steps = [StepRecord("2 procore_extract", 30.4, True, "1 run(s)", 4.5)]
    first.drift_headline = {"Findings": "12", "Drift at stake": "USD 1.00"}
    last = SessionRecord(
        2, "used", "2026-12-05T23:20:00+00:00", 20.2, 19, 6.0, exit_code=-2, stop_seconds=8.0
    )
    last.steps = [StepRecord("2 procore_extract", 41.0, False, "StepFailed: …", 7.3)]
    last.drift_headline = {"Findings": "9"}

    lines = markdown([first, last]).splitlines()
    assert from_json(json.loads(json.dumps(as_json([first, last])))) == [first, last]  # --resume reads it

    assert lines[0] == "| step | #1 (fresh) | #2 (used) |"
    assert "| started (UTC) | 23:00:05 | 23:20:00 |" in lines
    assert "| ready (make airflow → banner) | 42 s | 20 s |" in lines
    assert "| 2 procore_extract | 30 s | 41 s **FAILED** |" in lines
    assert "| stop (Ctrl-C → exit) | 9 s, exit 0 | 8 s, exit -2 |" in lines  # make dies of the SIGINT
    assert "| load at start / max | 3.2 / 4.5 | 6.0 / 7.3 |" in lines
    assert "| session | ok | **FAILED** |" in lines  # its step failed, not its stop
    assert first.ok and not last.ok
    last.steps[0].ok = True
    assert last.ok
    assert "| Findings | 12 | 9 |" in lines and "| Drift at stake | USD 1.00 | – |" in lines
