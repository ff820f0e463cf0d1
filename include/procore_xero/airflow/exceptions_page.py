"""The controller's exceptions page: a FastAPI app that Airflow's API server mounts (``plugins/``).

Authenticated as Airflow's own API is (``get_user``: the UI's session cookie or a bearer JWT; 401 without).
A user sees the tenants whose approval they may answer, by the same rule Airflow applies to the approval
itself (``is_authorized_hitl_task`` with the tenant's approvers: admins see all under the simple auth
manager). Exceptions of a staging key that no configured tenant has are shown to nobody. Read-only: GET
only, nothing here writes. Every value is HTML-escaped (vendor names come from Procore and Xero users).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from html import escape
from typing import Annotated, Any

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.core_api.security import get_user
from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from procore_xero.reports.open_exceptions import (
    ExceptionFilter,
    OpenException,
    RootGroup,
    grouped,
    open_exceptions,
)
from procore_xero.tenants import Tenant

URL_PREFIX = "/pxsync"
PAGE_PATH = "/exceptions"
ADMIN_ROLE = "admin"
ROOT_LABELS = (("vendor", "vendor(s)"), ("project", "project(s)"), ("record", "other record(s)"))
COLUMNS = ("Tenant", "Document", "Why held", "Project", "At stake", "Total", "Open since", "Approval")


def visible_tenants(user: Any, tenants: Sequence[Tenant], may_answer: Any) -> list[Tenant]:
    """The tenants ``user`` may see: all for an admin, else those whose approval ``may_answer(approvers,
    user)`` lets them answer. A tenant whose approvers name no user (a configuration error the approval
    reports) is shown to admins only."""
    from procore_xero.airflow.approvers import tenant_approvers
    from procore_xero.clients.errors import ConfigurationError

    if is_admin(user):
        return list(tenants)
    visible = []
    for tenant in tenants:
        try:
            approvers = set(tenant_approvers(tenant))
        except ConfigurationError:
            continue
        if may_answer(approvers, user):
            visible.append(tenant)
    return visible


def is_admin(user: Any) -> bool:
    """An admin of the simple auth manager (its users carry a role); other auth managers' users see the
    tenants they approve for only."""
    return str(getattr(user, "role", "") or "").lower() == ADMIN_ROLE


def tenant_keys(tenants: Sequence[Tenant]) -> dict[str, Any]:
    """Tenant name -> staging key, from the connections (read by the API server from its secrets)."""
    from airflow.models.connection import Connection

    from procore_xero.staging import TenantKey

    keys = {}
    for tenant in tenants:
        procore = Connection.get_connection_from_secrets(tenant.procore_conn_id).extra_dejson
        xero = Connection.get_connection_from_secrets(tenant.xero_conn_id).extra_dejson
        keys[tenant.name] = TenantKey(int(procore["company_id"]), str(xero["tenant_id"]))
    return keys


def staging_engine() -> Engine:
    """One engine (and connection pool) per staging database in the API server's process."""
    from procore_xero.staging.engine import staging_url

    return _engine_for(staging_url())


@cache
def _engine_for(url: str) -> Engine:
    from procore_xero.staging import create_staging_engine

    return create_staging_engine(url)


def create_exceptions_app() -> FastAPI:
    """The page, served at ``URL_PREFIX + PAGE_PATH`` once mounted."""
    app = FastAPI(title="Procore ↔ Xero exceptions", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get(PAGE_PATH, response_class=HTMLResponse)
    def exceptions_page(
        user: Annotated[Any, Depends(get_user)],
        tenant: Annotated[str | None, Query(max_length=60)] = None,
        project: Annotated[str | None, Query(max_length=40)] = None,
        reason: Annotated[str | None, Query(max_length=60)] = None,
        min_age_days: Annotated[str | None, Query(max_length=4, pattern=r"^[0-9]*$")] = None,  # or "": any
    ) -> str:
        from procore_xero.airflow.pending_approvals import approval_links, pending_approvals
        from procore_xero.tenants import load_tenants

        manager = get_auth_manager()
        allowed = visible_tenants(
            user,
            load_tenants(),
            lambda approvers, who: manager.is_authorized_hitl_task(assigned_users=approvers, user=who),
        )
        wanted = ExceptionFilter(
            tenant=tenant or None,
            project=project or None,
            reason=reason or None,
            min_age=timedelta(days=int(min_age_days)) if min_age_days else None,
        )
        now = datetime.now(UTC)
        rows = open_exceptions(
            staging_engine(),
            tenant_keys(allowed),
            now=now,
            approvals=approval_links(pending_approvals()),
            wanted=wanted,
        )
        return render_page(rows, [t.name for t in allowed], wanted, now)

    return app


def render_page(
    rows: Sequence[OpenException], tenants: Sequence[str], wanted: ExceptionFilter, now: datetime
) -> str:
    """The whole page: the filter form and one table row per exception, or per root (a vendor, a project)
    with the records held for it listed beneath; every value escaped."""
    total = sum((row.at_stake for row in rows), Decimal("0.00"))
    items = grouped(list(rows))
    head = "".join(f"<th>{escape(name)}</th>" for name in COLUMNS)
    body = "".join(
        _group_html(item, now) if isinstance(item, RootGroup) else _row_html(item, now) for item in items
    )
    body = body or f'<tr><td colspan="{len(COLUMNS)}">None.</td></tr>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Open exceptions</title>'
        "<style>body{font-family:sans-serif;margin:1rem}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}.money{text-align:right}</style>"
        f"</head><body><h1>Open exceptions</h1>{_form(tenants, wanted)}"
        f"<p>{len(rows)} open exception(s), {_money(total)} at stake, most first, in {_shown(items)}. "
        "Records of projects not at the send stage are neither sent nor queued, by design: the drift "
        "report lists those projects.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def _form(tenants: Sequence[str], wanted: ExceptionFilter) -> str:
    options = "".join(
        f'<option value="{escape(name)}"{" selected" if name == wanted.tenant else ""}>'
        f"{escape(name)}</option>"
        for name in tenants
    )
    days = "" if wanted.min_age is None else str(wanted.min_age.days)
    fields = {"project": wanted.project or "", "reason": wanted.reason or ""}
    inputs = "".join(
        f'<label>{name} <input name="{name}" value="{escape(value)}"></label> '
        for name, value in fields.items()
    )
    return (
        f'<form method="get"><label>tenant <select name="tenant"><option value="">all</option>{options}'
        f"</select></label> {inputs}"
        f'<label>open at least <input name="min_age_days" type="number" min="0" value="{days}"> days</label> '
        '<button type="submit">Filter</button></form>'
    )


def _row_html(row: OpenException, now: datetime) -> str:
    cells = {
        "tenant": escape(row.tenant),
        "document": f"{escape(row.document)} <small>#{row.exception_id}</small>",
        "reason": f"<b>{escape(row.reason_code)}</b>: {escape(row.message)}",
        "project": escape(row.project_id or ""),
        "at_stake": _money(row.at_stake),
        "total": "" if row.total is None else _money(row.total),
        "age": _age(row.first_seen, now),
        "approval": _decide(row.approval_url),
    }
    return _tr(f'data-exception="{row.exception_id}"', cells)


def _group_html(group: RootGroup, now: datetime) -> str:
    """One root: its name, how many records wait on it and their money; the records in a <details>."""
    members = "".join(
        f'<li data-exception="{m.exception_id}">{escape(m.document)} <small>#{m.exception_id}</small>: '
        f"{escape(m.reason_code)}{'' if m.total is None else ' — ' + _money(m.total)}</li>"
        for m in group.members
    )
    kind = escape(group.root.kind)
    cells = {
        "tenant": escape(group.tenant),
        "document": f"{kind} <b>{escape(group.root.label)}</b>: {group.documents} record(s) "
        f"<details><summary>the records</summary><ul>{members}</ul></details>",
        "reason": f"<b>{escape(', '.join(group.reasons))}</b>: fixing the {kind} releases them all",
        "project": escape(group.root.key) if group.root.kind == "project" else "",
        "at_stake": _money(group.at_stake),
        "total": _money(group.total),
        "age": _age(group.first_seen, now),
        "approval": _decide(next((m.approval_url for m in group.members if m.approval_url), None)),
    }
    key = escape(f"{group.root.kind}:{group.root.key}")
    return _tr(f'data-root="{key}" data-records="{group.documents}"', cells)


def _tr(attributes: str, cells: Mapping[str, str]) -> str:
    """One table row of already-escaped cells, the money ones right-aligned."""
    money = {"at_stake", "total"}
    tds = "".join(f'<td class="money">{v}</td>' if k in money else f"<td>{v}</td>" for k, v in cells.items())
    return f"<tr {attributes}>{tds}</tr>"


def _age(first_seen: datetime, now: datetime) -> str:
    return f"{escape(first_seen.strftime('%Y-%m-%d %H:%M'))} ({(now - first_seen).days} d)"


def _decide(approval_url: str | None) -> str:
    return "" if approval_url is None else f'<a href="{escape(approval_url)}" target="_top">decide</a>'


def _shown(items: Sequence[OpenException | RootGroup]) -> str:
    """What the controller has to decide on, e.g. "3 row(s): 1 vendor(s), 1 project(s), 1 other record(s)"."""
    kinds = [item.root.kind if isinstance(item, RootGroup) else "record" for item in items]
    parts = [f"{kinds.count(kind)} {label}" for kind, label in ROOT_LABELS if kinds.count(kind)]
    return f"{len(items)} row(s)" + (f": {', '.join(parts)}" if parts else "")


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"
