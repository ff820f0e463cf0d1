"""Airflow lists our connection types (entry point ``apache_airflow_provider``): the Connections page offers
Procore and Xero with labelled fields for the format the hooks read, and a Test button."""

from __future__ import annotations

import warnings

from procore_xero.airflow.hooks import ProcoreHook, XeroHook


def providers_manager():
    from airflow.providers_manager import ProvidersManager

    return ProvidersManager()


def test_providers_manager_lists_procore_and_xero_with_our_hooks() -> None:
    manager = providers_manager()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ``hooks`` is deprecated for task code, still what the UI reads
        hooks = {conn_type: manager.hooks[conn_type] for conn_type in ("procore", "xero")}
    assert {
        t: (h.hook_class_name, h.connection_id_attribute_name, h.hook_name) for t, h in hooks.items()
    } == {
        "procore": ("procore_xero.airflow.hooks.ProcoreHook", "procore_conn_id", "Procore"),
        "xero": ("procore_xero.airflow.hooks.XeroHook", "xero_conn_id", "Xero"),
    }
    assert all(h.connection_testable and h.package_name == "procore-xero-sync" for h in hooks.values())
    assert (ProcoreHook.conn_type, XeroHook.conn_type) == ("procore", "xero")


def test_the_form_labels_the_standard_fields_and_offers_the_extras_by_their_names() -> None:
    manager = providers_manager()
    widgets = {
        name: (widget.field_name, widget.is_sensitive)
        for name, widget in manager.connection_form_widgets.items()
        if name.startswith(("extra__procore__", "extra__xero__"))
    }
    assert widgets == {
        "extra__procore__company_id": ("company_id", False),
        "extra__procore__grant_type": ("grant_type", False),
        "extra__procore__token_url": ("token_url", False),
        "extra__procore__refresh_token": ("refresh_token", True),
        "extra__xero__tenant_id": ("tenant_id", False),
        "extra__xero__daily_limit": ("daily_limit", False),
        "extra__xero__grant_type": ("grant_type", False),
        "extra__xero__token_url": ("token_url", False),
        "extra__xero__refresh_token": ("refresh_token", True),
    }
    for conn_type, host in (("procore", "https://api.procore.com"), ("xero", "https://api.xero.com")):
        behaviour = manager.field_behaviours[conn_type]
        assert behaviour["hidden_fields"] == ["schema", "port"]
        assert behaviour["relabeling"] == {
            "host": "API base URL",
            "login": "Client ID",
            "password": "Client Secret",
        }
        assert behaviour["placeholders"] == {"host": host}
