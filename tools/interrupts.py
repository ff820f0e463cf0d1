"""SIGTERM as Ctrl-C for the launchers: a launcher killed bare would leave its components (Airflow, the
sandboxes, PostgreSQL, a session's ``make airflow``) running; raised as ``KeyboardInterrupt``, its
``finally`` blocks and context managers stop them."""

from __future__ import annotations

import signal


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def sigterm_as_ctrl_c() -> None:
    """SIGINT raises ``KeyboardInterrupt`` even where a shell started us ignoring it; SIGTERM does too."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
