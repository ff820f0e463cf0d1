"""The exceptions page through its FastAPI app and Airflow's own auth (simple auth manager, real JWTs, the
metadata database's revoked-token check): no token, no page; a tenant's approver sees that tenant only; an
admin sees all; hostile record text is escaped; the page writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from procore_xero.staging import Problem, TenantKey, create_staging_engine, ensure_schema, raise_exception
from procore_xero.staging.schema import exceptions
from tools.extract_env import patched_environ

ALPHA = TenantKey(company_id=4_000_000_001, tenant_id="aaaaaaaa-0000-4000-8000-000000000001")
BETA = TenantKey(company_id=4_000_000_002, tenant_id="bbbbbbbb-0000-4000-8000-000000000002")
HOSTILE = "PO 1-101 (<script>alert(1)</script> <img src=https://tracker.example/p.png>)"


def connections(name: str, key: TenantKey) -> dict[str, str]:
    procore = {"conn_type": "http", "extra": {"company_id": key.company_id}}
    xero = {"conn_type": "http", "extra": {"tenant_id": key.tenant_id}}
    return {
        f"AIRFLOW_CONN_PROCORE_{name.upper()}": json.dumps(procore),
        f"AIRFLOW_CONN_XERO_{name.upper()}": json.dumps(xero),
    }


@pytest.fixture
def page(tmp_path: Path, airflow_db: None) -> Iterator[tuple[Any, dict[str, int]]]:
    """The app on a staging database with one held PO per tenant; alice approves alpha, bob beta."""
    from airflow.api_fastapi.app import create_auth_manager
    from fastapi.testclient import TestClient

    from procore_xero.airflow.exceptions_page import create_exceptions_app

    tenants = tmp_path / "tenants.yaml"
    entries = [
        {
            "name": name,
            "procore_conn_id": f"procore_{name}",
            "xero_conn_id": f"xero_{name}",
            "approvers": [user],
        }
        for name, user in (("alpha", "alice"), ("beta", "bob"))
    ]
    tenants.write_text(yaml.safe_dump({"tenants": entries}))
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    env = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "alice:user,bob:user,root:admin",
        "PXSYNC_TENANTS": str(tenants),
        "STAGING_DB_URL": url,
        **connections("alpha", ALPHA),
        **connections("beta", BETA),
    }
    with patched_environ(env):
        engine = create_staging_engine(url)
        ensure_schema(engine)
        ids = {
            name: raise_exception(
                engine,
                Problem(key, "procore", "purchase_order_contracts", number, "over_budget"),
                source_label=HOSTILE if name == "alpha" else f"PO 2-{number} (Beta Steel)",
                message="over the remaining budget",
                details={"values": {"total": total, "remaining_budget": "100.00"}},
            )
            for name, key, number, total in (("alpha", ALPHA, 101, "1234.56"), ("beta", BETA, 201, "5100.10"))
        }
        create_auth_manager()
        with TestClient(create_exceptions_app()) as client:
            yield client, ids
        engine.dispose()


def as_user(client: Any, name: str, role: str, **params: str) -> Any:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    token = get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=name, role=role))
    return client.get("/exceptions", params=params, headers={"Authorization": f"Bearer {token}"})


def rows_of(html: str, ids: dict[str, int]) -> list[str]:
    return [name for name, exception_id in ids.items() if f'data-exception="{exception_id}"' in html]


def test_no_token_no_page(page: tuple[Any, dict[str, int]]) -> None:
    client, _ = page
    refused = client.get("/exceptions")
    assert refused.status_code == 401 and "1234.56" not in refused.text
    forged = client.get("/exceptions", headers={"Authorization": "Bearer not.a.jwt"})
    assert forged.status_code in (401, 403) and "Beta Steel" not in forged.text


def test_an_approver_sees_only_their_tenant_and_an_admin_all(page: tuple[Any, dict[str, int]]) -> None:
    client, ids = page
    alice = as_user(client, "alice", "user")
    assert alice.status_code == 200
    assert rows_of(alice.text, ids) == ["alpha"] and "Beta Steel" not in alice.text
    assert "1,134.56" in alice.text and "1,234.56" in alice.text  # at stake (over the budget left), total
    assert rows_of(as_user(client, "alice", "user", tenant="beta").text, ids) == []
    submitted = as_user(client, "alice", "user", tenant="", project="", reason="", min_age_days="")
    assert rows_of(submitted.text, ids) == ["alpha"]  # the form's empty fields: no filter
    assert rows_of(as_user(client, "alice", "user", min_age_days="1").text, ids) == []
    assert as_user(client, "alice", "user", min_age_days="-1").status_code == 422
    assert rows_of(as_user(client, "bob", "user").text, ids) == ["beta"]
    admin = as_user(client, "root", "admin").text
    assert rows_of(admin, ids) == ["alpha", "beta"]
    assert admin.index(f'data-exception="{ids["beta"]}"') < admin.index(f'data-exception="{ids["alpha"]}"')
    assert rows_of(as_user(client, "mallory", "user").text, ids) == []


def test_record_text_is_escaped_and_the_page_writes_nothing(page: tuple[Any, dict[str, int]]) -> None:
    client, _ = page
    html = as_user(client, "alice", "user").text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.post("/exceptions").status_code == 405
    engine = create_staging_engine()
    with engine.connect() as connection:
        statuses = connection.execute(select(exceptions.c.status, func.count()).group_by(exceptions.c.status))
        assert dict(statuses.all()) == {"open": 2}
    engine.dispose()


def test_records_held_for_one_vendor_show_as_one_escaped_row_with_their_count_and_money() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from procore_xero.airflow.exceptions_page import render_page
    from procore_xero.reports.exception_roots import Root
    from procore_xero.reports.open_exceptions import ExceptionFilter, OpenException

    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    hostile = Root("vendor", "procore:77", "<script>alert(1)</script> [x](https://evil.example)")

    def held(
        exception_id: int, total: str, root: Root | None, reason: str = "unmapped_vendor"
    ) -> OpenException:
        return OpenException(
            "alpha",
            exception_id,
            "purchase_order_contracts",
            str(exception_id),
            f"PO 1-{exception_id}",
            reason,
            "held",
            "5",
            Decimal("0.00") if root else Decimal(total),  # a mapping rule's failing values name no amount
            Decimal(total),
            now,
            None,
            root,
        )

    rows = [held(1, "1000.10", hostile), held(2, "2500.25", hostile), held(3, "10.00", None, "over_budget")]
    html = render_page(rows, ["alpha"], ExceptionFilter(), now)
    assert html.count('<tr data-root="vendor:procore:77" data-records="2">') == 1
    assert html.count("<tr data-exception=") == 1 and '<li data-exception="1">' in html
    assert (
        "3 open exception(s), 10.00 at stake" in html and "2 row(s): 1 vendor(s), 1 other record(s)" in html
    )
    assert html.count("3,500.35") == 1 and "1,000.10" in html  # the vendor's records' total, each one's
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.index('data-root="vendor:procore:77"') < html.index('data-exception="3"')  # most money first
