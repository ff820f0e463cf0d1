"""The settings file against its JSON Schema: typed values, and errors that name the file and the key path
(and, for a tenant's overrides, the tenants file and the tenant)."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from procore_xero.mapping import load_spec
from procore_xero.mapping.settings import SCHEMA_PATH, Settings, SettingsError
from procore_xero.mapping.spec import DEFAULT_PATH
from procore_xero.tenants import load_tenants


def shipped() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_shipped_file_loads_as_typed_frozen_values() -> None:
    settings = load_spec().settings
    assert (settings.drift.amount, settings.drift.percent) == (Decimal("1000.00"), Decimal("5"))
    assert (settings.drift.top_findings, settings.drift.stale_after_hours) == (25, 36)
    assert (settings.accounts.expense, settings.retainage.payable_account) == ("310", "820")
    assert settings.source_statuses.commitments == ("Approved", "Complete")
    assert [(e.account_code, e.cost_code, e.cost_type, e.item_code) for e in settings.cost_code_lookup] == [
        ("429", "01-100", "L", None)
    ]
    assert settings["retainage"]["item_code"] == settings.retainage.item_code == "RETAINAGE"  # transition
    with pytest.raises(FrozenInstanceError):
        settings.drift.amount = Decimal("1")  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.feeds["sweep"]["calls_per_hour"] = 1  # type: ignore[index]


def test_the_schema_and_the_model_name_the_same_keys() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]["settings"]
    assert set(schema["properties"]) == {field.name for field in fields(Settings)}
    assert set(schema["required"]) == set(schema["properties"])


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("drift.amount", "abc", r"settings\.drift\.amount: 'abc' does not match"),
        (
            "sales_payment_terms_days",
            "thirty",
            r"settings\.sales_payment_terms_days: 'thirty' is not of type",
        ),
        ("tax.line_amount_types", "Net", r"settings\.tax\.line_amount_types: 'Net' is not one of"),
        (
            "cost_code_lookup",
            [{"account_code": "429", "cost_code": "01-100"}],
            r"settings\.cost_code_lookup\[0\]: ",
        ),
        ("feeds.sweep.calls_per_hour", 0, r"settings\.feeds\.sweep\.calls_per_hour: 0 is less than"),
    ],
)
def test_a_bad_value_names_the_file_and_the_key_path(
    tmp_path: Path, key: str, value: Any, message: str
) -> None:
    document = shipped()
    *parents, last = key.split(".")
    section = document["settings"]
    for part in parents:
        section = section[part]
    section[last] = value
    path = write(tmp_path / "settings.yaml", document)
    with pytest.raises(SettingsError, match=rf"^{tmp_path}/settings\.yaml: {message}"):
        load_spec(path=path)


def test_unknown_keys_are_errors(tmp_path: Path) -> None:
    document = shipped()
    document["settings"]["drift"]["amout"] = "5"
    with pytest.raises(
        SettingsError, match=r"settings\.drift: Additional properties .*'amout' was unexpected"
    ):
        load_spec(path=write(tmp_path / "a.yaml", document))
    document = shipped()
    document["objects"]["bills"]["enable"] = True
    with pytest.raises(
        SettingsError, match=r"objects\.bills: Additional properties .*'enable' was unexpected"
    ):
        load_spec(path=write(tmp_path / "b.yaml", document))


def test_a_missing_key_and_an_empty_file_are_named(tmp_path: Path) -> None:
    document = shipped()
    del document["settings"]["tracking_category"]
    with pytest.raises(SettingsError, match=r"a\.yaml: settings: 'tracking_category' is a required property"):
        load_spec(path=write(tmp_path / "a.yaml", document))
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"empty\.yaml: \(top level\): None is not of type 'object'"):
        load_spec(path=tmp_path / "empty.yaml")


def test_a_settings_file_with_tenants_says_where_to_move_them(tmp_path: Path) -> None:
    document = {**shipped(), "tenants": {"8f2c": {"settings": {"tracking_category": "Jobs"}}}}
    path = write(tmp_path / "old.yaml", document)
    with pytest.raises(SettingsError) as raised:
        load_spec(path=path)
    message = str(raised.value)
    assert message.startswith(f"{path}: tenants: ")
    assert "tenants file (PXSYNC_TENANTS)" in message and "`overrides:`" in message
    empty = write(tmp_path / "empty.yaml", {**shipped(), "tenants": {}})  # as shipped before: nothing to move
    assert load_spec(path=empty).settings == load_spec().settings


def tenants_file(tmp_path: Path, overrides: dict[str, Any]) -> Path:
    entry = {"name": "harbor", "procore_conn_id": "p_h", "xero_conn_id": "x_h", "overrides": overrides}
    return write(tmp_path / "tenants.yaml", {"tenants": [entry]})


def test_a_tenant_override_in_the_tenants_file_applies(tmp_path: Path) -> None:
    overrides = {
        "settings": {"tax": {"line_amount_types": "Exclusive"}},
        "objects": {"bills": {"enabled": False}},
    }
    (harbor,) = load_tenants(tenants_file(tmp_path, overrides))
    spec, base = load_spec(harbor), load_spec()
    assert spec.settings.tax.line_amount_types == "Exclusive"
    assert spec.settings.tax.purchase_tax_type == base.settings.tax.purchase_tax_type == "NONE"  # merged
    assert (spec.enabled("bills"), base.enabled("bills")) == (False, True)
    assert spec.fields("bills") == base.fields("bills")


def test_a_bad_tenant_override_names_the_tenants_file_and_the_tenant(tmp_path: Path) -> None:
    path = tenants_file(tmp_path, {"settings": {"drift": {"amount": "lots"}}})
    (harbor,) = load_tenants(path)
    with pytest.raises(
        SettingsError,
        match=rf"^tenants file {path}, tenant 'harbor': overrides\.settings\.drift\.amount: 'lots'",
    ):
        load_spec(harbor)
    (typo,) = load_tenants(tenants_file(tmp_path, {"objects": {"bills": {"enabeld": False}}}))
    with pytest.raises(
        SettingsError, match=r"tenant 'harbor': overrides\.objects\.bills: Additional properties"
    ):
        load_spec(typo)
