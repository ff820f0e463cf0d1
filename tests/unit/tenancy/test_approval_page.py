"""The controller's approval page: hostile record text shown as text, the options offered, the answers taken.

The page body is rendered here as Airflow's Required Actions page does (Markdown with GFM tables and bare
address autolinks: markdown-it's ``gfm-like`` preset with linkify), so a test fails if a link or an image
would reach the browser.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from procore_xero.airflow.approval_page import (
    LEAVE_PENDING,
    ApprovalAnswerError,
    HeldRecord,
    all_options,
    decisions,
    page_body,
)
from procore_xero.airflow.approvers import approver_ids, tenant_approvers
from procore_xero.airflow.markdown_text import markdown_text
from procore_xero.clients.errors import ConfigurationError
from procore_xero.tenants import APPROVERS_ENV, Tenant, TenantsFileError, load_tenants

HOSTILE = {
    "link": ("[Pay here](https://evil.example/x)", "`[Pay here](https://evil.example/x)`"),
    "image": ("![t](https://tracker.example/p.png)", "`![t](https://tracker.example/p.png)`"),
    "table": ("A | B |\n|---|", r"`A \| B \|\n\|---\|`"),
    "heading": ("# Summit Steel", "`# Summit Steel`"),
    "autolink": ("www.evil.example ap@evil.example", "`www.evil.example ap@evil.example`"),
    "html": ("<img src=x onerror=alert(1)>&amp;", "`<img src=x onerror=alert(1)>&amp;`"),
    "backticks": ("`x` ``y``", "``` `x` ``y`` ```"),
}


def over_budget(exception_id: int, vendor: str, *blocking: str) -> HeldRecord:
    reasons = [("po_above_remaining_budget", f"PO 7 ({vendor}): total 144922.82 is above 100000.00")]
    reasons += [(code, f"PO 7 ({vendor}): {code}") for code in blocking]
    return HeldRecord(
        id=exception_id,
        exception_ids=tuple(range(exception_id, exception_id + len(reasons))),
        document=f"PO 7 ({vendor})",
        vendor=vendor,
        amount="144922.82",
        budget_left="100000.00",
        reasons=tuple(reasons),
        blocking=tuple(blocking),
    )


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_names_are_escaped_exactly(kind: str) -> None:
    name, escaped = HOSTILE[kind]
    assert markdown_text(name) == escaped


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_the_rendered_page_shows_hostile_names_as_text(kind: str) -> None:
    name, _ = HOSTILE[kind]
    html = MarkdownIt("gfm-like").render(page_body([over_budget(11, name)]))
    assert "<a " not in html and "<img" not in html and "<h1" not in html
    assert html.count("<tr>") == 2  # the header and the one record: no row injected
    shown = name.replace("\n", "\\n").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert f"<td><code>{shown}</code></td>" in html  # the vendor cell, character for character


def test_the_page_lists_amount_budget_and_why_and_says_why_a_record_cannot_be_approved() -> None:
    body = page_body([over_budget(11, "Acme"), over_budget(20, "Bolt", "unmapped_vendor")])
    rows = body.splitlines()[-2:]
    assert rows[0] == (
        "| 11 | `PO 7 (Acme)` | `Acme` | `144,922.82` | `100,000.00` | `PO 7 (Acme): total 144922.82 is "
        "above 100000.00` | approve or reject |"
    )
    assert rows[1].endswith(
        "| cannot be approved: also held for `unmapped_vendor`, which no one may overrule; fix it in "
        "Procore first |"
    )
    assert body.startswith("2 record(s) are held; 1 may be approved.")


def test_only_approvable_records_get_options_and_answers_map_to_exception_ids() -> None:
    records = [over_budget(11, "Acme"), over_budget(20, "Bolt", "unmapped_vendor"), over_budget(30, "Cole")]
    options = all_options(records)
    assert options == [
        LEAVE_PENDING,
        "Approve #11: PO 7 (Acme) — 144,922.82",
        "Reject #11: PO 7 (Acme) — 144,922.82",
        "Approve #30: PO 7 (Cole) — 144,922.82",
        "Reject #30: PO 7 (Cole) — 144,922.82",
    ]
    assert decisions([options[1], options[4]], records) == ([11], [30])
    assert decisions([LEAVE_PENDING], records) == ([], [])


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (["Approve #20: PO 7 (Bolt) — 144,922.82"], "did not offer"),  # held for a second reason
        (["Approve #99: anything"], "did not offer"),
        (["Approve #11: PO 7 (Acme) — 144,922.82", "Reject #11: PO 7 (Acme) — 144,922.82"], "both"),
    ],
)
def test_anything_not_offered_is_refused_with_what_and_why(chosen: list[str], message: str) -> None:
    records = [over_budget(11, "Acme"), over_budget(20, "Bolt", "unmapped_vendor")]
    with pytest.raises(ApprovalAnswerError, match=message):
        decisions(chosen, records)


def test_a_record_round_trips_through_xcom_json() -> None:
    record = over_budget(20, "Bolt", "unmapped_vendor")
    assert HeldRecord.from_dict(yaml.safe_load(yaml.safe_dump(record.to_dict()))) == record


def test_approvers_are_user_ids_with_roles_expanded_from_the_simple_auth_manager() -> None:
    users = "admin:admin, carol:op, dave:user, erin:OP"
    assert approver_ids(["cfo", "role:op", "carol"], users) == ["cfo", "carol", "erin"]
    assert approver_ids(["role:viewer"], users) == []


def test_tenant_approvers_come_from_the_file_else_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tenants.yaml"
    own = {"name": "a", "procore_conn_id": "p", "xero_conn_id": "x", "approvers": ["cfo"]}
    other = {"name": "b", "procore_conn_id": "p2", "xero_conn_id": "x2"}
    path.write_text(yaml.safe_dump({"tenants": [own, other]}))
    monkeypatch.setenv(APPROVERS_ENV, "ap, role:controller")
    first, second = load_tenants(path)
    assert first.approver_entries() == ("cfo",) and second.approver_entries() == ("ap", "role:controller")
    monkeypatch.delenv(APPROVERS_ENV)
    assert second.approver_entries() == ("admin",)
    path.write_text(yaml.safe_dump({"tenants": [{**own, "approvers": []}]}))
    with pytest.raises(TenantsFileError, match="tenant 'a': 'approvers' must be a non-empty list"):
        load_tenants(path)


def test_each_tenant_has_its_own_approvers_and_naming_nobody_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A controller of one tenant is not among another tenant's assigned users; an approvers entry that
    names no user fails the task instead of letting anyone answer."""
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin,ann:user,bob:user,cy:op")
    summit = Tenant("summit", "p1", "x1", approvers=("ann", "role:op"))
    harbor = Tenant("harbor", "p2", "x2", approvers=("bob",))
    assert (tenant_approvers(summit), tenant_approvers(harbor)) == (["ann", "cy"], ["bob"])
    with pytest.raises(ConfigurationError, match=r"tenant 'ridge': approvers \['role:viewer'\] name no"):
        tenant_approvers(Tenant("ridge", "p3", "x3", approvers=("role:viewer",)))
