"""``make airflow``'s setup driven in headless Chromium, as the controller would use it.

Log in, trigger ``procore_to_xero`` with ``dry_run`` from the trigger form (Xero gets no write), trigger a
real run, open its Required Action: the commitments' vendor names are hostile Markdown (a link, an image, a
heading) and show as text. A "user"-role clerk who is not an approver, and the controller of another
tenant (``harbor``, a second firm on a small sandbox of its own), are refused by the REST API (403) and on
the page, nothing reaches Xero, and the exceptions page shows them none of the default tenant's rows; the
controller (also a "user", the tenant's approver) ticks *Approve* for exactly one PO held above the
remaining budget, and the Xero sandbox's state shows that this PO alone was posted, to the cent. The
approval mail and a drift report triggered from the form arrive in the mail catcher's folder, addressed to
the demo controller (harbor's report to harbor's). Last, ``xero_extract`` replays three days in one run
(the trigger form's ``from`` / ``to``), then a backfill over three hours, set in the trigger dialog's
Backfill tab: its three runs succeed. Screenshots of every step: out/browser/.

Staging is filled by the real Procore extract functions before the runs, not by the ``procore_extract``
DAG: its Asset event would start a ``procore_to_xero`` run of its own, racing the runs this test triggers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sandbox.process import REPO_ROOT, SandboxProcess
from tests.browser.airflow_ui import (
    AirflowApi,
    approve,
    back_to_dag,
    held_over_budget,
    log_in,
    open_backfill_form,
    open_dag,
    open_replay_form,
    open_required_action,
    open_trigger_form,
    submit_backfill_form,
    submit_trigger_form,
    tick_and_respond,
)
from tests.browser.browser import CHROMIUM, Steps, chromium_page
from tools.airflow_standalone import ADMIN, DEMO_CONTROLLER, Standalone, StandaloneConfig, running_standalone
from tools.bench_extract import procore_run
from tools.extract_env import patched_environ, raise_limits, sandbox_now
from tools.mail_folder import read_mail
from tools.other_tenants import controller_of

pytestmark = pytest.mark.slow

DAG = "procore_to_xero"
SCREENSHOTS = REPO_ROOT / "out" / "browser"
RUN_TIMEOUT = 300.0  # one run is about 80 s here; a loaded CI machine may take a few times that
COMMITMENT_KINDS = ("work_order_contracts", "purchase_order_contracts")
APPROVAL_SUBJECT = "Procore → Xero: records wait for your approval"
DRIFT_SUBJECT = "Procore ↔ Xero "  # the drift report's, drifting or all reconciled
BACKFILL_HOURS = 3  # the 3-day range is the replay above; a backfill runs one run after another
BACKFILL_TIMEOUT = 600.0  # the UI caps a backfill at the DAG's max_active_runs
CONTROLLER, CLERK = "controller", "clerk"  # both Airflow's "user" role; only the controller approves
OTHER_TENANT, OTHER_CONTROLLER = "harbor", "harbor_controller"  # a "user" approving for harbor only
APPROVAL_TASK = "tenant.controller_approval"  # mapped: map index 0 is default, 1 harbor (the file's order)
EXCEPTIONS_PAGE = "/pxsync/exceptions"  # the plugin's page (plugins/exceptions_page.py)
HOSTILE_VENDOR = "[Pay here](https://evil.example/{n}) ![t](https://tracker.example/{n}.png) # Heading {n}"


@pytest.fixture
def airflow(tmp_path: Path) -> Iterator[Standalone]:
    """``make airflow``'s setup on free ports, in a throwaway AIRFLOW_HOME and data dir."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    config = StandaloneConfig.throwaway(
        tmp_path,
        users=((CONTROLLER, "user"), (CLERK, "user"), (OTHER_CONTROLLER, "user")),
        approvers=CONTROLLER,
        other_tenants=((OTHER_TENANT, OTHER_CONTROLLER),),
    )
    with running_standalone(config) as running:
        yield running


def stage_procore(airflow: Standalone) -> None:
    """Every tenant's Procore company into the staging database the DAGs read, by the real extract
    functions (a tenant is extracted before it is synced)."""
    names = ("STAGING_DB_URL", "PXSYNC_DATA_DIR", "PXSYNC_TOKEN_KEY")
    with patched_environ({name: airflow.env[name] for name in names}):
        procore_run(airflow.env, sandbox_now(airflow.sandbox), None)
        for tenant, sandbox in airflow.other_sandboxes.items():
            procore_run(airflow.env, sandbox_now(sandbox), None, f"procore_{tenant}")


def hostile_vendor_names(airflow: Standalone) -> None:
    """Every staged commitment's vendor renamed to Markdown that would be a link, an image and a heading
    (as if Procore returned it): the approval page must show it as text."""
    from sqlalchemy import update

    from procore_xero.staging import create_staging_engine
    from procore_xero.staging.schema import staging_table

    engine = create_staging_engine(airflow.env["STAGING_DB_URL"])
    with engine.begin() as connection:
        for kind in COMMITMENT_KINDS:
            table = staging_table("procore", kind)
            for row in connection.execute(table.select()).all():
                vendor = {**row.raw["vendor"], "company": HOSTILE_VENDOR.format(n=row.id)}
                connection.execute(
                    update(table)
                    .where(table.c.company_id == row.company_id, table.c.id == row.id)
                    .values(raw={**row.raw, "vendor": vendor})
                )


def switch_user(page: Any, base_url: str, user: str, password: str) -> None:
    """Sign out (the session is a cookie) and sign in as ``user``."""
    page.context.clear_cookies()
    log_in(page, base_url, user, password)


def approval_task(api: AirflowApi, run: str, map_index: int) -> dict[str, Any]:
    """The run's approval task instance of the tenant at ``map_index``, once it waits for its approver."""
    state = api.task_waits_or_ends(run, APPROVAL_TASK, map_index, RUN_TIMEOUT)
    assert state == "awaiting_input", f"{APPROVAL_TASK}[{map_index}] is {state}"
    tasks = api.task_states(run)
    (task,) = [t for t in tasks if (t["task_id"], t["map_index"]) == (APPROVAL_TASK, map_index)]
    return task


def hitl_path(task: dict[str, Any]) -> str:
    return f"{task['dag_run_id']}/taskInstances/{task['task_id']}/{task['map_index']}/hitlDetails"


def write_timing(api: AirflowApi, run: str, approval: dict[str, Any]) -> None:
    """out/browser/approval-timing.txt: from Airflow's recorded answer to ``apply_approvals`` done (the PO
    is in Xero then), as Airflow's own timestamps say."""
    responded = datetime.fromisoformat(api.get(hitl_path(approval))["responded_at"])
    (applied,) = [
        t
        for t in api.task_states(run)
        if t["task_id"].endswith("apply_approvals") and t["map_index"] == approval["map_index"]
    ]
    seconds = (datetime.fromisoformat(applied["end_date"]) - responded).total_seconds()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "approval-timing.txt").write_text(f"HITL response -> PO posted: {seconds:.1f} s\n")


def cents(amount: Any) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"))


def purchase_orders(sandbox: SandboxProcess) -> dict[str, dict[str, Any]]:
    """Every PO in the Xero sandbox (all organisations) by PurchaseOrderID."""
    tenants = sandbox.admin("xero", "GET", "state")["tenants"].values()
    return {po["PurchaseOrderID"]: po for tenant in tenants for po in tenant.get("PurchaseOrders", [])}


def xero_writes(sandbox: SandboxProcess) -> list[str]:
    """Calls other than reads and token refreshes since the stats were cleared."""
    calls = sandbox.admin("xero", "GET", "stats")["calls"]
    return [c for c in calls if c.split(" ")[0] in ("PUT", "POST", "DELETE") and c != "POST /connect/token"]


def commitment_total(sandbox: SandboxProcess, po_number: str) -> Decimal:
    """What the Xero PO ``<job number>-<commitment number>`` must carry: the Procore commitment's grand
    total plus its approved change orders."""
    state = sandbox.admin("procore", "GET", "state")
    jobs = {p["id"]: p["project_number"] for p in state["projects"]}
    (commitment,) = [
        c
        for kind in COMMITMENT_KINDS
        for c in state[kind]
        if f"{jobs[c['project']['id']]}-{c['number']}" == po_number and not c.get("deleted_at")
    ]
    changes = [
        co["grand_total"]
        for co in state["commitment_change_orders"]
        if co["contract_id"] == commitment["id"] and co["status"] == "approved"
    ]
    return cents(commitment["grand_total"]) + sum((cents(c) for c in changes), Decimal("0.00"))


def test_controller_approves_one_held_po_in_the_ui(airflow: Standalone, tmp_path: Path) -> None:
    sandbox, base_url = airflow.sandbox, airflow.config.base_url
    for each in (sandbox, *airflow.other_sandboxes.values()):
        raise_limits(each)  # throttling is the client tests' subject; here it would only add minutes
    stage_procore(airflow)
    hostile_vendor_names(airflow)
    api = AirflowApi(base_url, airflow.token(), DAG)

    with chromium_page(tmp_path / "chromium-profile") as page:
        steps = Steps(page, SCREENSHOTS)

        def explain(run_id: str) -> str:
            return api.report(run_id, airflow.config.home / "logs", steps.last)

        log_in(page, base_url, ADMIN, airflow.password)
        steps.shot("logged-in")
        open_dag(page, DAG)
        steps.shot("dag")

        # A dry run from the trigger form: it succeeds and Xero gets no write.
        xero_before = purchase_orders(sandbox)
        sandbox.admin("xero", "DELETE", "stats")
        open_trigger_form(page, {"dry_run": True})
        steps.shot("trigger-form-dry-run")
        dry_run = submit_trigger_form(page)
        assert api.finished(dry_run, RUN_TIMEOUT) == "success", explain(dry_run)
        page.reload()
        steps.shot("dry-run-succeeded")
        assert xero_writes(sandbox) == [], explain(dry_run)
        assert purchase_orders(sandbox) == xero_before

        # A real run posts what passes and holds POs above the remaining budget for the controller.
        back_to_dag(page, base_url, DAG)
        open_trigger_form(page, {"dry_run": False})
        steps.shot("trigger-form-real-run")
        run = submit_trigger_form(page)
        assert api.task_waits_or_ends(run, APPROVAL_TASK, 0, RUN_TIMEOUT) == "awaiting_input", explain(run)
        open_required_action(page, run, 0)
        held = held_over_budget(page)
        steps.shot("required-action")
        assert len(held) >= 2, f"want one PO to approve and one to stay out; held: {held}\n{explain(run)}"
        chosen, others = held[0], held[1:]
        before_approval = purchase_orders(sandbox)

        # Hostile vendor names are text: no link, no image, no heading on the page.
        assert chosen.vendor.startswith("[Pay here](https://evil.example/") and "# Heading" in chosen.vendor
        assert page.locator("a[href*='evil.example'], img[src*='tracker.example']").count() == 0
        assert page.get_by_role("heading", name=re.compile("Heading")).count() == 0

        # Neither a "user"-role member who approves for no tenant nor the controller of another tenant may
        # answer (API or page) or post anything; the exceptions page shows them none of this tenant's rows.
        waiting, other = [approval_task(api, run, map_index) for map_index in (0, 1)]
        for login, sees in ((CLERK, []), (OTHER_CONTROLLER, [OTHER_TENANT])):
            cannot_answer(airflow, page, steps, Refused(run, waiting, chosen.exception_id, login, sees))
        # The other tenant's controller does answer their own tenant's approval (deciding nothing).
        own = AirflowApi(base_url, airflow.token(OTHER_CONTROLLER), DAG).answer(run, other, {})
        assert own.status_code == 200, own.text

        # The controller sees the held PO with its total, its hostile vendor as text, and a link to this
        # run's pending approval.
        switch_user(page, base_url, CONTROLLER, airflow.password_of(CONTROLLER))
        page.goto(f"{base_url.rstrip('/')}{EXCEPTIONS_PAGE}")
        row = page.locator(f'tr[data-exception="{chosen.exception_id}"]')
        steps.shot("exceptions-page")
        assert f"PO {chosen.po_number} ({chosen.vendor})" in row.inner_text()
        assert f"{cents(chosen.total):,}" in row.inner_text()
        assert page.locator("a[href*='evil.example'], img[src*='tracker.example']").count() == 0
        decide = row.get_by_role("link", name="decide")
        assert quote(run, safe="") in str(decide.get_attribute("href"))

        # The controller follows that link and ticks exactly one; the run ends and posts it.
        decide.click()
        page.wait_for_url("**/required_actions")
        page.get_by_role("button", name="Respond").wait_for()
        approve(page, [chosen.exception_id])
        steps.shot("approved")
        assert api.finished(run, RUN_TIMEOUT) == "success", explain(run)
        page.get_by_role("link", name=run).first.click()
        steps.shot("run-succeeded")

        write_timing(api, run, waiting)
        after = purchase_orders(sandbox)
        posted = [po for po_id, po in after.items() if po_id not in before_approval]
        assert [po["PurchaseOrderNumber"] for po in posted] == [chosen.po_number], explain(run)
        assert cents(posted[0]["Total"]) == cents(chosen.total) == commitment_total(sandbox, chosen.po_number)
        assert not {o.po_number for o in others} & {po["PurchaseOrderNumber"] for po in after.values()}

        # The approval mail reached the controller, listing the PO that was held; harbor's, harbor's.
        approval_mail = {m["X-Envelope-To"]: m for m in mail_with(airflow, APPROVAL_SUBJECT)}
        assert sorted(approval_mail) == sorted([DEMO_CONTROLLER, controller_of(OTHER_TENANT)])
        assert chosen.po_number in approval_mail[DEMO_CONTROLLER].get_body(("html",)).get_content()

        # The drift report, triggered from the form, is mailed to the controller.
        switch_user(page, base_url, ADMIN, airflow.password)
        open_dag(page, "drift_report")
        open_trigger_form(page, {})
        report_run = submit_trigger_form(page)
        report_api = AirflowApi(base_url, airflow.token(), "drift_report")
        assert report_api.finished(report_run, RUN_TIMEOUT) == "success", report_api.report(
            report_run, airflow.config.home / "logs", steps.last
        )
        steps.shot("drift-report-succeeded")
        reports = mail_with(airflow, DRIFT_SUBJECT)
        assert {m["X-Envelope-To"] for m in reports} == {DEMO_CONTROLLER, controller_of(OTHER_TENANT)}

        # A replay of the Xero extract over three days, from the trigger form's `from` / `to`: one run,
        # and its one extract-finished event (which would start xero_to_procore) says it is complete.
        xero_api = AirflowApi(base_url, airflow.token(), "xero_extract")
        back_to_dag(page, base_url, "xero_extract")
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=4)
        open_replay_form(page, start, start + timedelta(days=3))
        steps.shot("replay-form")
        replay = submit_trigger_form(page)
        assert xero_api.finished(replay, RUN_TIMEOUT) == "success", xero_api.report(
            replay, airflow.config.home / "logs", steps.last
        )
        events = {e["tenant"]: (e["status"], e["failed_reads"]) for e in xero_api.asset_events(replay)}
        assert events == {"default": ("success", 0), OTHER_TENANT: ("success", 0)}, events
        steps.shot("replay-succeeded")

        # A backfill of the Xero extract over three hours of that range, from the trigger dialog.
        back_to_dag(page, base_url, "xero_extract")
        end = start + timedelta(hours=BACKFILL_HOURS - 1)
        assert open_backfill_form(page, start, end) == f"{BACKFILL_HOURS} runs will be triggered."
        steps.shot("backfill-form")
        submit_backfill_form(page)
        backfill = xero_api.backfill_runs(BACKFILL_HOURS, BACKFILL_TIMEOUT)
        page.get_by_role("link", name="Backfills").click()
        page.get_by_role("row").nth(1).wait_for()
        steps.shot("backfill-finished")
        assert sorted(r["state"] for r in backfill) == ["success"] * BACKFILL_HOURS, backfill


@dataclass(frozen=True)
class Refused:
    """A login that must not answer ``waiting`` (the run's approval task): the record it tries to approve,
    and the tenants the exceptions page may offer it."""

    run: str
    waiting: dict[str, Any]
    exception_id: int
    login: str
    sees: list[str]


def cannot_answer(airflow: Standalone, page: Any, steps: Steps, refused: Refused) -> None:
    """``refused.login`` answers the approval through the REST API (403) and on the Required Action page
    (nothing lands); Xero's purchase orders stay as they were to the cent; the exceptions page lists rows
    of ``refused.sees`` only (none even when asked for the default tenant's) and offers only those."""
    base_url, login = airflow.config.base_url, refused.login
    api = AirflowApi(base_url, airflow.token(), DAG)
    before = purchase_orders(airflow.sandbox)
    answer = AirflowApi(base_url, airflow.token(login), DAG).answer(
        refused.run, refused.waiting, {"approve": [refused.exception_id]}
    )
    assert answer.status_code == 403 and "not a respondent" in answer.text, f"{login}: {answer.text}"
    switch_user(page, base_url, login, airflow.password_of(login))
    open_required_action(page, refused.run, refused.waiting["map_index"])
    tick_and_respond(page, [refused.exception_id])
    page.wait_for_timeout(3000)  # the page shows nothing on a 403: the answer must simply not land
    steps.shot(f"{login}-refused")
    assert page.get_by_text("response successful").count() == 0, login
    assert api.awaiting_input(refused.run, 10) == "awaiting_input", login
    assert api.get(hitl_path(refused.waiting))["response_received"] is False, login
    assert purchase_orders(airflow.sandbox) == before, login
    page.goto(f"{base_url.rstrip('/')}{EXCEPTIONS_PAGE}")
    page.get_by_role("heading", name="Open exceptions").wait_for()
    rows = page.locator("tbody tr[data-exception], tbody tr[data-root]")  # a record, or a root's records
    tenants = set(rows.locator("td:first-child").all_inner_texts())
    assert tenants == set(refused.sees), f"{login} sees rows of {tenants}"
    page.goto(f"{base_url.rstrip('/')}{EXCEPTIONS_PAGE}?tenant=default")
    page.get_by_role("heading", name="Open exceptions").wait_for()
    assert page.locator("tr[data-exception]").count() == 0, f"{login} sees default's rows when asking"
    options = page.locator('select[name="tenant"] option').all_inner_texts()
    assert options == ["all", *refused.sees], f"{login}: {options}"


def mail_with(airflow: Standalone, subject: str) -> list[EmailMessage]:
    """Messages in the mail catcher's folder whose subject starts with ``subject``."""
    return [m for m in read_mail(airflow.config.mail_dir) if str(m["Subject"]).startswith(subject)]
