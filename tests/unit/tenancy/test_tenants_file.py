"""The tenants file: what it gives the DAGs, the specs and the pool policy, and how it refuses bad entries."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from procore_xero.mapping import load_spec
from procore_xero.tenants import TenantsFileError, load_tenants, tenant_at, tenant_names
from tools.extract_env import patched_environ

THREE = {
    "tenants": [
        {"name": "summit", "procore_conn_id": "procore_summit", "xero_conn_id": "xero_summit"},
        {
            "name": "harbor",
            "procore_conn_id": "procore_harbor",
            "xero_conn_id": "xero_harbor",
            "pool": "xero_harbor_pool",
            "controller_emails": ["ap@harbor.example"],
            "overrides": {"settings": {"drift": {"amount": "2500.00"}}},
        },
        {"name": "ridge_3", "procore_conn_id": "procore_ridge", "xero_conn_id": "xero_ridge"},
    ]
}


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "tenants.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_without_a_file_there_is_one_tenant_on_the_default_connections() -> None:
    with patched_environ({"PXSYNC_TENANTS": "", "PXSYNC_XERO_POOL": "xero_shared"}):
        (only,) = load_tenants()
        assert (only.name, only.procore_conn_id, only.xero_conn_id, only.pool) == (
            "default",
            "procore_default",
            "xero_default",
            "xero_shared",
        )
        assert tenant_at(-1) == only and tenant_at(0) == only and tenant_at(1) is None


def test_three_tenants_in_file_order_with_their_pools_and_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, THREE)
    assert tenant_names(path) == ["summit", "harbor", "ridge_3"]
    summit, harbor, ridge = load_tenants(path)
    assert [t.pool for t in (summit, harbor, ridge)] == ["xero_summit", "xero_harbor_pool", "xero_ridge_3"]
    assert summit.settings_overrides() == {}
    assert harbor.settings_overrides() == {
        "settings": {"drift": {"amount": "2500.00"}, "controller_emails": ["ap@harbor.example"]}
    }
    spec = load_spec(tenant=harbor)
    base = load_spec()
    assert spec.settings.controller_emails == ("ap@harbor.example",)
    assert str(spec.settings.drift.amount) == "2500.00"
    assert spec.settings.drift.percent == base.settings.drift.percent  # merged, not replaced
    with patched_environ({"PXSYNC_TENANTS": str(path)}):
        assert tenant_at(2) == ridge and tenant_at(3) is None and tenant_at(-1) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "a b", "procore_conn_id": "p", "xero_conn_id": "x"}, r"entry 1: 'name' must be"),
        ({"name": "acme", "procore_conn_id": "p"}, r"tenant 'acme': 'xero_conn_id' is required"),
        (
            {"name": "acme", "procore_conn_id": "p", "xero_conn_id": "x", "colour": 1},
            r"unknown field\(s\) colour",
        ),
        (
            {"name": "acme", "procore_conn_id": "p", "xero_conn_id": "x", "controller_emails": "a@b"},
            r"'controller_emails' must be a list",
        ),
        (
            {"name": "acme", "procore_conn_id": "p", "xero_conn_id": "x", "overrides": {"tenants": {}}},
            r"'overrides' may hold only 'settings' and 'objects'",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_it_and_the_field(tmp_path: Path, entry: dict, message: str) -> None:
    with pytest.raises(TenantsFileError, match=message):
        load_tenants(write(tmp_path, {"tenants": [entry]}))


def test_two_tenants_on_one_xero_connection_are_refused(tmp_path: Path) -> None:
    twice = {"tenants": [THREE["tenants"][0], {**THREE["tenants"][2], "xero_conn_id": "xero_summit"}]}
    with pytest.raises(
        TenantsFileError, match=r"xero_conn_id used by more than one tenant: \['xero_summit'\]"
    ):
        load_tenants(write(tmp_path, twice))


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TenantsFileError, match="needs a non-empty list under 'tenants'"):
        load_tenants(write(tmp_path, {"tenants": []}))


def test_the_registered_cluster_policy_moves_a_tenants_task_to_its_pool(tmp_path: Path) -> None:
    """Through Airflow's own policy hook, loaded from the ``airflow_local_settings`` module the package
    installs (so Airflow also applies it when a DAG run creates its task instances: ``is_noop`` False)."""
    from airflow.settings import task_instance_mutation_hook

    assert task_instance_mutation_hook.is_noop is False

    with patched_environ({"PXSYNC_TENANTS": str(write(tmp_path, THREE)), "PXSYNC_XERO_POOL": "xero_shared"}):
        instances = [SimpleNamespace(pool="xero_shared", map_index=i) for i in range(3)]
        for ti in instances:
            task_instance_mutation_hook(ti)
        assert [ti.pool for ti in instances] == ["xero_summit", "xero_harbor_pool", "xero_ridge_3"]
        elsewhere = SimpleNamespace(pool="default_pool", map_index=1)  # not a Xero task: left alone
        unmapped = SimpleNamespace(pool="xero_shared", map_index=-1)
        task_instance_mutation_hook(elsewhere)
        task_instance_mutation_hook(unmapped)
        assert (elsewhere.pool, unmapped.pool) == ("default_pool", "xero_shared")


def test_the_shipped_example_file_loads_and_its_overrides_apply() -> None:
    from sandbox.process import REPO_ROOT

    first, second = load_tenants(REPO_ROOT / "include" / "mappings" / "tenants.example.yaml")
    assert (first.name, first.pool, second.pool) == ("summit", "xero_summit", "xero_summit_canada")
    spec = load_spec(tenant=second)
    assert spec.objects["sales_invoices"]["enabled"] is False
    assert spec.settings.controller_emails == ("controller@summit.example", "ap@summit.example")
