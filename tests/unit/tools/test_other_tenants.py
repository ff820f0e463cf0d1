"""The tenants file the tests' ``make airflow`` writes for a second firm: default as without a file, the
other tenant on its own connections, pool, controller and approver."""

from __future__ import annotations

from pathlib import Path

from procore_xero.airflow.approvers import approver_ids
from procore_xero.tenants import APPROVERS_ENV, load_tenants
from tools.extract_env import patched_environ
from tools.other_tenants import write_tenants_file
from tools.sandbox_connections import xero_pools


def test_default_first_as_without_a_file_then_the_other_tenant_with_its_own_approver(tmp_path: Path) -> None:
    path = write_tenants_file(tmp_path / "home" / "tenants.yaml", {"harbor": "harbor_controller"})
    with patched_environ({APPROVERS_ENV: "controller"}):
        default, harbor = load_tenants(path)
        entries = {t.name: t.approver_entries() for t in (default, harbor)}
    assert (default.name, default.procore_conn_id, default.xero_conn_id, default.pool) == (
        "default",
        "procore_default",
        "xero_default",
        "xero_default",
    )
    assert default.controller_emails is None  # the settings' controller, as without a file
    assert (harbor.procore_conn_id, harbor.xero_conn_id, harbor.pool) == (
        "procore_harbor",
        "xero_harbor",
        "xero_harbor",
    )
    assert harbor.controller_emails == ("controller@harbor.example",)
    assert entries == {"default": ("controller",), "harbor": ("harbor_controller",)}
    users = "admin:admin,controller:user,clerk:user,harbor_controller:user"
    assert [approver_ids(entries[name], users) for name in ("default", "harbor")] == [
        ["controller"],
        ["harbor_controller"],
    ]
    assert xero_pools(path) == {"xero_default": 5, "xero_harbor": 5}
