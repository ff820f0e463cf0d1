"""The README's ``make airflow`` steps as a newcomer takes them, through the REST API the UI itself calls
(trigger form, Required Actions, Backfill dialog), then the mail folder -- for ``tools.airflow_sessions``.

Each step waits for every run of its DAG to finish, the ones the scheduler adds on its own too (the
scheduled run an unpause creates, the asset-triggered sync runs), and fails with the failing runs' error
lines. A held record's Required Action is answered as the controller would: approve every PO offered.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests

from sandbox.process import REPO_ROOT
from tests.browser.airflow_ui import FINISHED, AirflowApi
from tools.bench_inbound import made_from_xero
from tools.mail_folder import read_mail
from tools.session_launch import Banner

SETTLE_TIMEOUT = 1800.0  # every run of one DAG at the full demo seed on a shared 2-core machine
BACKFILL_TIMEOUT = 3600.0  # 72 runs one after another (the Backfill dialog's max_active_runs is 1)
BACKFILL_DAYS = 3
# A controller reads the mail and the table before answering. An answer within a second or two of the
# request races Airflow 3.3.2's scheduler: the trigger resumes the task before the scheduler has seen its
# deferring process exit, the late "success" of that exit marks the queued task up_for_retry, and the retry
# asks again (apache/airflow#71579 is the same race for a running task).
READING_SECONDS = 20.0
APPROVE_OPTION = re.compile(r"^Approve #(?P<id>\d+): ")
DRIFT_SUBJECT = (
    "Procore ↔ Xero "  # the drift report's subject: "Procore ↔ Xero drift <day>: …" or all reconciled
)
APPROVAL_SUBJECT = "Procore → Xero: records wait for your approval"


class StepFailed(RuntimeError):
    """A step did not do what the README says it does: which runs, which tasks, the error lines."""


@dataclass
class Session:
    """One running ``make airflow`` as its banner describes it, and what the steps found so far."""

    banner: Banner
    home: Path
    index: int  # 1-based: which backfill range is this session's
    token: str = ""
    found: dict[str, Any] = field(default_factory=dict)

    def sign_in(self) -> None:
        response = requests.post(
            f"{self.banner.url}/auth/token",
            json={"username": self.banner.user, "password": self.banner.password},
            timeout=30,
        )
        response.raise_for_status()
        self.token = str(response.json()["access_token"])

    def api(self, dag_id: str) -> AirflowApi:
        return AirflowApi(self.banner.url, self.token, dag_id)

    def rest(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(
            method,
            f"{self.banner.url}/api/v2/{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
            **kwargs,
        )
        if not response.ok:
            raise StepFailed(f"{method} /api/v2/{path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def mail(self, subject: str) -> list[EmailMessage]:
        return [m for m in read_mail(self.banner.mail_dir) if str(m["Subject"]).startswith(subject)]


def open_runs(api: AirflowApi) -> list[dict[str, Any]]:
    """The DAG's unfinished runs, newest first (a used home holds hundreds of finished ones)."""
    query: dict[str, Any] = {"state": ["queued", "running"], "order_by": "-id", "limit": 100}
    response = api.http.get(api.url, params=query, timeout=60)
    response.raise_for_status()
    return list(response.json()["dag_runs"])


def approve_offered(api: AirflowApi, run_id: str, task: dict[str, Any]) -> list[int]:
    """Tick *Approve* for every held PO the Required Action offers and respond; the exception ids."""
    details = api.get(f"{run_id}/taskInstances/{task['task_id']}/{task['map_index']}/hitlDetails")
    ids = [int(m["id"]) for option in details["options"] if (m := APPROVE_OPTION.match(option))]
    api.answer(run_id, task, {"approve": ids, "reject": []}).raise_for_status()
    return ids


def settle(
    session: Session,
    dag_id: str,
    conf: dict[str, Any] | None = None,
    on_input: Callable[[AirflowApi, str, dict[str, Any]], None] | None = None,
) -> dict[str, str]:
    """Trigger ``dag_id`` as the form does (unpausing it) and wait until it and every other open run of it
    finished, handing each task awaiting input to ``on_input``; {run id: state}, all ``success`` or
    ``StepFailed`` with the failing runs' error lines."""
    api = session.api(dag_id)
    manual = api.trigger(conf)
    seen: dict[str, str] = {manual: "queued"}
    asked: dict[tuple[str, int, int], float] = {}  # (run, map index, try): when it was first seen asking
    answered: set[tuple[str, int, int]] = set()
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        try:
            running = open_runs(api)
            for run in running:
                seen[run["dag_run_id"]] = run["state"]
                for task in api.task_states(run["dag_run_id"]):
                    if task["state"] != "awaiting_input" or on_input is None:
                        continue
                    key = (run["dag_run_id"], task["map_index"], task["try_number"])
                    since = asked.setdefault(key, time.monotonic())
                    if key not in answered and time.monotonic() - since >= READING_SECONDS:
                        on_input(api, run["dag_run_id"], task)
                        answered.add(key)
        except requests.Timeout:  # an API server busy with the runs' tasks: a missed poll
            continue
        if not running:
            seen = {run_id: str(api.get(run_id)["state"]) for run_id in seen}
            if all(state in FINISHED for state in seen.values()):
                break
        time.sleep(3)
    failed = {run_id: state for run_id, state in seen.items() if state != "success"}
    if failed:
        logs = session.home / "logs"
        raise StepFailed("\n".join(api.report(run_id, logs, None) for run_id in failed))
    return seen


def step_dags(session: Session) -> str:
    """1. Sign in; *Dags* lists the DAGs (paused until their first trigger on a fresh home)."""
    session.sign_in()
    dags = session.rest("GET", "dags", params={"limit": 100})["dags"]
    paused = sum(1 for dag in dags if dag["is_paused"])
    return f"{len(dags)} DAGs, {paused} paused"


def step_procore_extract(session: Session) -> str:
    """2. Trigger ``procore_extract`` and wait for it: Procore is staged."""
    return f"{len(settle(session, 'procore_extract'))} run(s)"


def step_dry_run(session: Session) -> str:
    """3a. ``procore_to_xero`` with ``dry_run`` on: nothing is written to Xero."""
    before = requests.get(f"{session.banner.xero_url}/_sandbox/state", timeout=60).json()
    runs = settle(session, "procore_to_xero", {"dry_run": True}, on_input=leave_pending)
    after = requests.get(f"{session.banner.xero_url}/_sandbox/state", timeout=60).json()
    if count_bills(after) != count_bills(before) and len(runs) == 1:
        raise StepFailed(f"the dry run wrote to Xero: {count_bills(before)} -> {count_bills(after)} bills")
    return f"{len(runs)} run(s)"


def leave_pending(api: AirflowApi, run_id: str, task: dict[str, Any]) -> None:
    """A Required Action of a run the step did not ask for: decided later (the default answer)."""
    api.answer(run_id, task, {"approve": [], "reject": []}).raise_for_status()


def count_bills(state: dict[str, Any]) -> int:
    return sum(1 for t in state["tenants"].values() for i in t.get("Invoices", []) if i["Type"] == "ACCPAY")


def step_sync_and_approve(session: Session) -> str:
    """3-4. A real ``procore_to_xero``: it holds POs above budget for the controller, the approval mail
    lands in the mail folder, the controller approves every held PO (Required Actions' *Respond*)."""
    mails = len(session.mail(APPROVAL_SUBJECT))
    answers: list[list[int]] = []  # one per Required Action answered: a retry asking again adds one
    settle(
        session,
        "procore_to_xero",
        on_input=lambda api, run, task: answers.append(approve_offered(api, run, task)),
    )
    xero = requests.get(f"{session.banner.xero_url}/_sandbox/state", timeout=60).json()
    new_mail = len(session.mail(APPROVAL_SUBJECT)) - mails
    if answers and not new_mail:
        raise StepFailed(f"approved {answers} but no approval mail arrived in {session.banner.mail_dir}")
    approved = {exception_id for answer in answers for exception_id in answer}
    return (
        f"{count_bills(xero)} bills in Xero, {len(approved)} held PO(s) approved in {len(answers)} "
        f"answer(s), {new_mail} approval mail(s)"
    )


def step_month_end(session: Session) -> str:
    """5. ``make month-end`` against this session's Xero sandbox, then ``xero_extract`` and
    ``xero_to_procore``: the payments arrive in Procore."""
    subprocess.run(
        ["make", "--no-print-directory", "month-end", f"XERO_URL={session.banner.xero_url}"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    settle(session, "xero_extract")
    settle(session, "xero_to_procore")
    procore = requests.get(f"{session.banner.procore_url}/_sandbox/state", timeout=60).json()
    paid = [p for p in procore["contract_payments"] if made_from_xero(p)]
    if not paid:
        raise StepFailed("no Xero payment reached Procore")
    return f"{len(paid)} payment(s) from Xero in Procore"


def step_drift_report(session: Session) -> str:
    """6. Trigger ``drift_report``: the report lands in the mail folder (its headline kept)."""
    before = len(session.mail(DRIFT_SUBJECT))
    settle(session, "drift_report")
    reports = session.mail(DRIFT_SUBJECT)
    if len(reports) <= before:
        raise StepFailed(f"no drift report arrived in {session.banner.mail_dir}")
    session.found["drift_mail"] = reports[-1]
    return str(reports[-1]["Subject"])


def replay_range(now: datetime) -> tuple[datetime, datetime]:
    """The README's replay: three days ending a day before the current hour."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=BACKFILL_DAYS + 1)
    return start, start + timedelta(days=BACKFILL_DAYS)


def backfill_range(now: datetime, index: int) -> tuple[datetime, datetime]:
    """Session ``index``'s three days of hours (72 runs, the last hour included as the dialog counts),
    each session three days further back: the dialog's default "missing runs" makes a repeated range
    create nothing on a used home."""
    end = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=1 + BACKFILL_DAYS * (index - 1))
    return end - timedelta(days=BACKFILL_DAYS), end - timedelta(hours=1)


def step_replay(session: Session) -> str:
    """7a. ``xero_extract`` with ``from`` / ``to``: one run re-reads the range."""
    start, end = replay_range(datetime.now(UTC))
    runs = settle(session, "xero_extract", {"from": start.isoformat(), "to": end.isoformat()})
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}, {len(runs)} run(s)"


def step_backfill(session: Session) -> str:
    """7b. The Backfill dialog's request (``POST /api/v2/backfills``, its defaults: missing runs, one at a
    time) over three days of ``xero_extract``; waits until Airflow marks it complete, then every run of it
    must have succeeded."""
    start, end = backfill_range(datetime.now(UTC), session.index)
    body = {
        "dag_id": "xero_extract",
        "from_date": start.isoformat(),
        "to_date": end.isoformat(),
        "dag_run_conf": {},
        "max_active_runs": 1,
        "reprocess_behavior": "none",
        "run_backwards": False,
    }
    backfill = session.rest("POST", "backfills", json=body)
    deadline = time.monotonic() + BACKFILL_TIMEOUT
    while not backfill["completed_at"] and time.monotonic() < deadline:
        time.sleep(5)
        try:
            backfill = session.rest("GET", f"backfills/{backfill['id']}")
        except requests.Timeout:
            continue
    runs = session.rest(
        "GET",
        "dags/xero_extract/dagRuns",
        params={
            "run_type": "backfill",
            "logical_date_gte": start.isoformat(),
            "logical_date_lte": end.isoformat(),
            "limit": 100,
        },
    )["dag_runs"]
    states = [run["state"] for run in runs]
    expected = BACKFILL_DAYS * 24
    if not backfill["completed_at"] or states != ["success"] * expected:
        raise StepFailed(
            f"backfill {backfill['id']} ({start} to {end}) completed_at={backfill['completed_at']}: "
            f"{len(runs)} runs of {expected}, states {sorted(set(states))}"
        )
    return f"backfill {backfill['id']}: {len(runs)} runs {start:%m-%d %H:%M}..{end:%m-%d %H:%M}, all success"


STEPS: tuple[tuple[str, Callable[[Session], str]], ...] = (
    ("1 sign in, DAGs", step_dags),
    ("2 procore_extract", step_procore_extract),
    ("3 procore_to_xero dry run", step_dry_run),
    ("3-4 procore_to_xero + approve", step_sync_and_approve),
    ("5 month-end, xero_extract, xero_to_procore", step_month_end),
    ("6 drift_report mailed", step_drift_report),
    ("7 xero_extract 3-day replay", step_replay),
    ("7 xero_extract 3-day backfill", step_backfill),
)
