"""What ``tools.airflow_sessions`` keeps of each session (start, each step's wall time and outcome, load,
the drift report's headline) and how it shows them: JSON for ``out/sessions.json``, a markdown table."""

from __future__ import annotations

import re
import signal
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from typing import Any

# Ctrl-C: make waits for the launcher to stop everything, then dies of the SIGINT itself, as in a terminal
CLEAN_EXITS = (0, -signal.SIGINT)
HEADLINE_LINE = re.compile(r"^(?P<label>[A-Z][^:]*): (?P<value>.+?)  \(")


@dataclass
class StepRecord:
    name: str
    seconds: float
    ok: bool
    detail: str
    load: float  # one-minute load average when the step ended


@dataclass
class SessionRecord:
    index: int
    home: str  # "fresh" or "used"
    started_at: str  # UTC, when ``make airflow`` was run
    ready_seconds: float | None = None  # from the command to the ready banner, measured here
    launcher_ready_seconds: int | None = None  # the banner's own "ready in N s"
    load_at_start: float = 0.0
    steps: list[StepRecord] = field(default_factory=list)
    drift_headline: dict[str, str] = field(default_factory=dict)
    stop_seconds: float | None = None
    exit_code: int | None = None
    error: str = ""  # why the session did not reach or finish its steps

    @property
    def ok(self) -> bool:
        return not self.error and self.exit_code in CLEAN_EXITS and all(step.ok for step in self.steps)


def drift_headline(message: EmailMessage) -> dict[str, str]:
    """The headline of a mailed drift report ("Projects in drift: 14 of 19 synced  (what it counts)"):
    {label: value}, from its plain-text part, in the mail's order, up to its first blank line after them."""
    body = message.get_body(("plain",))
    if body is None:
        raise ValueError(f"the drift report {message['Subject']!r} has no plain-text part")
    headline: dict[str, str] = {}
    for line in body.get_content().splitlines()[1:]:
        if match := HEADLINE_LINE.match(line):
            headline[match["label"]] = match["value"]
        elif headline and not line.strip():
            break
    if not headline:
        raise ValueError(f"no headline in the drift report {message['Subject']!r}")
    return headline


def as_json(sessions: list[SessionRecord]) -> dict[str, Any]:
    return {"sessions": [{**asdict(s), "ok": s.ok} for s in sessions]}


def from_json(document: dict[str, Any]) -> list[SessionRecord]:
    """The sessions ``as_json`` wrote (to go on with them)."""
    sessions = []
    for fields in document["sessions"]:
        fields = {key: value for key, value in fields.items() if key != "ok"}
        steps = [StepRecord(**step) for step in fields.pop("steps")]
        sessions.append(SessionRecord(**fields, steps=steps))
    return sessions


def cell(step: StepRecord | None) -> str:
    if step is None:
        return "–"
    return f"{step.seconds:.0f} s" + ("" if step.ok else " **FAILED**")


def markdown(sessions: list[SessionRecord]) -> str:
    """One column per session: ready time, each step's wall seconds (FAILED marked), stop time, load, and
    the drift headline of the first and the last session."""
    header = ["step", *(f"#{s.index} ({s.home})" for s in sessions)]
    names = list(dict.fromkeys(step.name for s in sessions for step in s.steps))
    rows = [
        ["started (UTC)", *(s.started_at[11:19] for s in sessions)],
        ["ready (make airflow → banner)", *(seconds(s.ready_seconds) for s in sessions)],
        *(
            [name, *(cell(next((t for t in s.steps if t.name == name), None)) for s in sessions)]
            for name in names
        ),
        ["stop (Ctrl-C → exit)", *(f"{seconds(s.stop_seconds)}, exit {s.exit_code}" for s in sessions)],
        ["load at start / max", *(f"{s.load_at_start:.1f} / {max_load(s):.1f}" for s in sessions)],
        ["session", *("ok" if s.ok else f"**FAILED** {s.error[:60]}".strip() for s in sessions)],
    ]
    lines = [table_row(header), table_row(["---"] * len(header)), *map(table_row, rows)]
    if sessions and sessions[0].drift_headline:
        first, last = sessions[0], sessions[-1]
        lines += [
            "",
            table_row(["drift headline", f"#{first.index}", f"#{last.index}"]),
            table_row(["---"] * 3),
        ]
        for label, value in first.drift_headline.items():
            lines.append(table_row([label, value, last.drift_headline.get(label, "–")]))
    return "\n".join(lines)


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} s"


def max_load(session: SessionRecord) -> float:
    return max([session.load_at_start, *(step.load for step in session.steps)])


def table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
