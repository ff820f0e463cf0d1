"""What a person does in Airflow's web UI (log in, trigger with Params, answer a Required Action), and the
REST calls the test only uses to wait and to explain a failure. Nothing here names a task id: the DAGs'
steps may be mapped task groups."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests
from playwright.sync_api import Locator, Page

from tools.approvals import chosen_options

FINISHED = ("success", "failed")
ENDED = ("success", "failed", "skipped", "upstream_failed")  # a task instance's
UI_WAIT_MS = 120_000  # a new run's page, which a loaded machine may take more than 30 s to open
HELD_ROW = re.compile(r"^PO (?P<number>\S+) \((?P<vendor>.*)\)$")


def log_in(page: Page, base_url: str, user: str, password: str) -> None:
    """Open the UI, get sent to the login form, sign in, land on the home page."""
    page.goto(base_url)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.get_by_text("Health").wait_for()


def open_dag(page: Page, dag_id: str) -> None:
    """The Dags list, then the DAG's own page."""
    page.get_by_role("link", name="Dags", exact=True).first.click()
    page.wait_for_url(re.compile(r"/dags/?$"))  # else a link of the page being left may be clicked
    page.get_by_role("link", name=dag_id, exact=True).click()
    page.wait_for_url(f"**/dags/{dag_id}")


def back_to_dag(page: Page, base_url: str, dag_id: str) -> None:
    """The DAG's own page by its address, as from a bookmark. A run's page has a Trigger menu whose form
    starts from that run's configuration, and its breadcrumb link raced the page in CI."""
    page.goto(f"{base_url.rstrip('/')}/dags/{dag_id}")
    page.get_by_role("button", name="Trigger").first.wait_for()


def open_trigger_form(page: Page, switches: dict[str, bool]) -> None:
    """The DAG page's Trigger dialog with the named boolean Params set as given (each set either way:
    the form must not depend on what it showed last)."""
    page.wait_for_load_state("networkidle")  # a DAG page still loading re-renders the dialog under the click
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Trigger").wait_for()
    page.wait_for_load_state("networkidle")
    for name, wanted in switches.items():
        switch = dialog.get_by_label(name, exact=False)
        if switch.is_checked() != wanted:
            switch.locator("xpath=..").click()  # the visible switch; the input itself is clipped to 1px
        assert switch.is_checked() == wanted, f"the {name} switch is not {'on' if wanted else 'off'}"


def submit_trigger_form(page: Page) -> str:
    """Press Trigger; the UI opens the new run's page, whose URL holds the run id."""
    page.wait_for_load_state("networkidle")
    page.get_by_role("dialog").get_by_role("button", name="Trigger").click()
    page.wait_for_url(re.compile(r"/runs/[^/]+$"), timeout=UI_WAIT_MS)
    return unquote(page.url.rsplit("/runs/", 1)[1])


def fill_datetime(page: Page, field: Locator, moment: datetime) -> None:
    """A date-and-time field of a dialog (Backfill range, a date-time Param) through its picker (UTC)."""
    field.get_by_test_id("datetime-input").click(force=True)  # re-rendered while queries land
    page.get_by_placeholder("YYYY/MM/DD").last.fill(moment.strftime("%Y/%m/%d"))
    page.get_by_placeholder("HH:mm").last.fill(moment.strftime("%H:%M"))
    page.get_by_placeholder("HH:mm").last.press("Enter")


def open_replay_form(page: Page, start: datetime, end: datetime) -> None:
    """The DAG page's Trigger dialog with the ``from`` / ``to`` Params set (a replay of that range)."""
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Trigger").wait_for()
    for name, moment in (("from", start), ("to", end)):
        # the innermost block holding both the Param's label and a date-time field: the Param's row
        row = (
            dialog.locator("div")
            .filter(has=page.get_by_text(name, exact=True))
            .filter(has=page.get_by_test_id("datetime-input"))
            .last
        )
        page.wait_for_timeout(500)  # the picker and the section animate
        if not row.get_by_test_id("datetime-input").is_visible():
            dialog.get_by_text("Run Parameters").first.click()  # the Params section folded: unfold it
        fill_datetime(page, row, moment)
        page.wait_for_timeout(500)
        if page.get_by_placeholder("YYYY/MM/DD").last.is_visible():
            dialog.get_by_text("Run Parameters").first.click()  # closes the picker (may fold the section)


def open_backfill_form(page: Page, start: datetime, end: datetime) -> str:
    """The DAG page's Trigger dialog switched to *Backfill* with the range filled in through its date and
    time pickers (UTC); the form's own count of the runs it will create ("3 runs will be triggered.").
    The DAG page must have loaded first: it re-mounts as its queries land, closing a dialog opened early."""
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Trigger").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Backfill", exact=True).click()
    dialog.get_by_role("button", name="Run Backfill").wait_for()  # the form is rendered anew
    for label, moment in (("From", start), ("To", end)):
        fill_datetime(
            page, dialog.get_by_role("group").filter(has=page.get_by_text(label, exact=True)), moment
        )
        dialog.get_by_text("Date Range").click()  # closes the picker, keeps the dialog
    count = dialog.get_by_text(re.compile(r"runs? will be triggered"))
    count.wait_for()
    return count.inner_text()


def submit_backfill_form(page: Page) -> None:
    """Press *Run Backfill*; the dialog closes once Airflow accepted the backfill."""
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Run Backfill").click()
    dialog.wait_for(state="hidden")


def open_required_action(page: Page, run_id: str, map_index: int = -1) -> None:
    """Browse → Required Actions, then the action of ``run_id`` (its subject links to the form); of the
    mapped task instance ``map_index`` when the task is mapped (one action per tenant)."""
    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Required Actions").click()
    subject = page.get_by_role("link", name=re.compile("→"))
    if map_index >= 0:
        subject = subject.and_(page.locator(f'a[href$="/mapped/{map_index}/required_actions"]'))
    page.get_by_role("row").filter(has_text=run_id).filter(has=subject).first.locator(subject).first.click()
    page.wait_for_url("**/required_actions")
    page.get_by_role("button", name="Respond").wait_for()


@dataclass(frozen=True)
class HeldRecord:
    """One row of the approval task's table: exception id, Xero PO number, vendor, total."""

    exception_id: int
    po_number: str
    vendor: str
    total: str


def held_over_budget(page: Page) -> list[HeldRecord]:
    """The approvable rows of the Required Action's table (# | document | vendor | amount | budget left |
    why held | your call)."""
    held = []
    for text in page.get_by_role("row").all_inner_texts():
        cells = [cell.strip() for cell in text.split("\t")]
        if len(cells) != 7 or not cells[0].isdigit() or cells[6] != "approve or reject":
            continue
        if record := HELD_ROW.match(cells[1]):
            held.append(HeldRecord(int(cells[0]), record["number"], cells[2], cells[3].replace(",", "")))
    return held


def tick_and_respond(page: Page, exception_ids: list[int], verb: str = "Approve") -> None:
    """Tick the ``verb`` option of each record in the options field (a multi-select) and press Respond."""
    field = page.locator("#element_chosen_options").get_by_role("combobox")
    for exception_id in exception_ids:
        field.click()
        field.press_sequentially(f"{verb} #{exception_id}:")
        page.get_by_role("option", name=re.compile(rf"^{verb} #{exception_id}: ")).click()
    page.get_by_role("button", name="Respond").click()


def approve(page: Page, exception_ids: list[int]) -> None:
    """Tick *Approve* for each record, respond, and wait for Airflow to take the answer."""
    tick_and_respond(page, exception_ids)
    page.get_by_text("response successful").wait_for()


class AirflowApi:
    """Airflow's REST API as the admin: run and task-instance states, for waiting and for failure reports;
    triggers and answers for the scheduler test, which drives no browser."""

    def __init__(self, base_url: str, token: str, dag_id: str) -> None:
        self.dag_url = f"{base_url}/api/v2/dags/{dag_id}"
        self.url = f"{self.dag_url}/dagRuns"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def trigger(self, conf: dict[str, Any] | None = None) -> str:
        """A manual run (unpausing the DAG as the trigger form does); its run id."""
        self.http.patch(self.dag_url, json={"is_paused": False}, timeout=30).raise_for_status()
        response = self.http.post(self.url, json={"logical_date": None, "conf": conf or {}}, timeout=30)
        response.raise_for_status()
        return str(response.json()["dag_run_id"])

    def runs(self) -> list[dict[str, Any]]:
        """Every run of the DAG (manual, scheduled, asset-triggered, backfill)."""
        response = self.http.get(self.url, params={"limit": 100}, timeout=30)
        response.raise_for_status()
        return list(response.json()["dag_runs"])

    def answer(self, run_id: str, task: dict[str, Any], decisions: dict[str, Any]) -> requests.Response:
        """Submit a Required Action as its form does: the options naming ``decisions``' exception ids
        (``{"approve": [...], "reject": [...]}``); Airflow's answer, refused or not."""
        path = f"{self.url}/{run_id}/taskInstances/{task['task_id']}/{task['map_index']}/hitlDetails"
        offered = self.http.get(path, timeout=30)
        offered.raise_for_status()
        answer = {"chosen_options": chosen_options(offered.json()["options"], decisions), "params_input": {}}
        return self.http.patch(path, json=answer, timeout=30)

    def get(self, path: str) -> Any:
        response = self.http.get(f"{self.url}/{path}", timeout=30)
        response.raise_for_status()
        return response.json()

    def task_states(self, run_id: str) -> list[dict[str, Any]]:
        return list(self.get(f"{run_id}/taskInstances?limit=1000")["task_instances"])

    def wait(self, run_id: str, done: Callable[[str, list[dict[str, Any]]], bool], timeout: float) -> str:
        """Poll until ``done(run state, task instances)``; the run's state then (or at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                state = str(self.get(run_id)["state"])
                if done(state, self.task_states(run_id)) or time.monotonic() > deadline:
                    return state
            except requests.Timeout:  # an API server busy with the run's tasks: a missed poll, not a failure
                if time.monotonic() > deadline:
                    raise
            time.sleep(2)

    def asset_events(self, run_id: str) -> list[dict[str, Any]]:
        """The extras of the Asset events the run emitted."""
        response = self.http.get(
            self.dag_url.rsplit("/dags/", 1)[0] + "/assets/events",
            params={"source_dag_id": self.dag_url.rsplit("/", 1)[1], "source_run_id": run_id},
            timeout=30,
        )
        response.raise_for_status()
        return [dict(event["extra"] or {}) for event in response.json()["asset_events"]]

    def backfill_runs(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """Until ``count`` backfill runs exist and all have finished (or the timeout): those runs."""
        deadline = time.monotonic() + timeout
        while True:
            runs = [run for run in self.runs() if run["run_type"] == "backfill"]
            done = len(runs) >= count and all(run["state"] in FINISHED for run in runs)
            if done or time.monotonic() > deadline:
                return runs
            time.sleep(3)

    def finished(self, run_id: str, timeout: float) -> str:
        return self.wait(run_id, lambda state, _: state in FINISHED, timeout)

    def awaiting_input(self, run_id: str, timeout: float) -> str:
        """Until a task of the run waits for a person (or the run ends): 'awaiting_input' or the run state."""

        def done(state: str, tasks: list[dict[str, Any]]) -> bool:
            return state in FINISHED or any(t["state"] == "awaiting_input" for t in tasks)

        state = self.wait(run_id, done, timeout)
        waiting = any(t["state"] == "awaiting_input" for t in self.task_states(run_id))
        return "awaiting_input" if waiting else state

    def task_waits_or_ends(self, run_id: str, task_id: str, map_index: int, timeout: float) -> str:
        """Until the task instance waits for a person or has ended: its state then (or at the timeout)."""

        def state(tasks: list[dict[str, Any]]) -> str | None:
            found = [t for t in tasks if (t["task_id"], t["map_index"]) == (task_id, map_index)]
            return found[0]["state"] if found else None

        self.wait(run_id, lambda _, tasks: state(tasks) in ("awaiting_input", *ENDED), timeout)
        return str(state(self.task_states(run_id)))

    def report(self, run_id: str, logs: Path, screenshot: Path | None) -> str:
        """Task states, the error lines of every task log of the run, the last screenshot: for assertions."""
        states = [f"{t['task_id']}[{t['map_index']}]={t['state']}" for t in self.task_states(run_id)]
        lines = [f"run {run_id}: {', '.join(states)}", f"last screenshot: {screenshot}"]
        for path in sorted(logs.glob(f"dag_id=*/run_id={run_id}/**/*.log")):
            events = map(_log_event, path.read_text().splitlines())
            errors = [event for event in events if event.startswith("ERROR")]
            if errors:
                lines += [f"--- {path.relative_to(logs)}", *errors[-20:]]
        return "\n".join(lines)


def _log_event(line: str) -> str:
    """One JSON task-log line as 'LEVEL event (exception)'."""
    try:
        event = json.loads(line)
    except ValueError:
        return line
    detail = "; ".join(f"{e.get('exc_type')}: {e.get('exc_value')}" for e in event.get("error_detail") or [])
    return f"{str(event.get('level', '')).upper()} {event.get('event', '')} {detail}".rstrip()
