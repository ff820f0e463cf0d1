"""The sync objects and what is derived from them: cheap to import, consistent with staging, the settings and
the frames their transforms build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from procore_xero.extract.specs import PROCORE_SPECS, XERO_SPECS
from procore_xero.objects import (
    APPROVABLE_REASONS,
    HOURLY_INBOUND_ORDER,
    NIGHTLY_INBOUND_ORDER,
    OBJECT_RULES,
    OBJECTS,
    PROCORE_TARGET_TYPES,
    REFERENCED_LATER,
    STEP_ORDER,
    TARGETS,
    XERO_TARGET_TYPES,
    Direction,
    SyncObject,
    XeroTarget,
    released_by_approval,
)
from procore_xero.objects.contacts import CONTACTS
from procore_xero.objects.rules import CONTACT_NEAR_MATCH, GONE_IN_XERO
from procore_xero.outgoing import FRAME_COLUMNS
from procore_xero.staging.objects import get_object_type

REPO = Path(__file__).resolve().parents[3]
SETTINGS = REPO / "include" / "mappings" / "settings.yaml"
HEAVY = ("pandas", "sqlalchemy", "great_expectations", "procore_xero.staging")


def test_importing_the_objects_loads_no_pandas_sqlalchemy_or_great_expectations() -> None:
    """DAG files read the step order while parsing: the object list must stay pure data."""
    code = (
        "import json, sys\n"
        "import procore_xero.objects, procore_xero.sync.order\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO / "include")},
    )
    assert json.loads(out.stdout) == []


def test_each_dag_sends_its_objects_in_the_declared_order() -> None:
    outbound = ("tracking_options", "items", "contacts", "purchase_orders", "bills", "sales_invoices")
    assert outbound == STEP_ORDER
    assert HOURLY_INBOUND_ORDER == ("vendors", "payments", "xero_purchase_orders")
    assert NIGHTLY_INBOUND_ORDER == ("direct_costs",)
    assert len({o.name for o in OBJECTS}) == len(OBJECTS) == 10


def test_the_derived_targets_are_the_loaders() -> None:
    assert TARGETS["TrackingOptions"] == XeroTarget("TrackingOptions", "Options", "TrackingOptionID", False)
    assert TARGETS["Invoices"] == XeroTarget("Invoices", "Invoices", "InvoiceID", True)
    assert set(XERO_TARGET_TYPES) == {"Contacts", "Items", "TrackingOptions", "PurchaseOrders", "Invoices"}
    procore = ("vendors", "contract_payments", "purchase_order_contracts", "direct_costs")
    assert procore == PROCORE_TARGET_TYPES
    assert {name: suite.target_type for name, suite in OBJECT_RULES.items()}["sales_invoices"] == "Invoices"


@pytest.mark.parametrize("sync_object", OBJECTS, ids=lambda o: o.name)
def test_every_staged_input_is_a_staged_object_type_some_extract_reads(sync_object: SyncObject) -> None:
    for name in sync_object.staged:
        assert get_object_type("procore", name).table_name == f"procore_{name}"
        assert PROCORE_SPECS[name].name == name
    for name in sync_object.staged_xero:
        assert get_object_type("xero", name).table_name == f"xero_{name}"
        assert XERO_SPECS[name].name == name


def test_every_object_has_its_settings_and_no_setting_contradicts_its_direction() -> None:
    declared = yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))["objects"]
    assert set(declared) == {o.name for o in OBJECTS}
    for o in OBJECTS:
        assert declared[o.name].get("direction", o.direction.value) == o.direction.value, o.name


@pytest.mark.parametrize("sync_object", OBJECTS, ids=lambda o: o.name)
def test_every_column_a_rule_reads_is_one_the_transform_builds(sync_object: SyncObject) -> None:
    built = {*FRAME_COLUMNS, *sync_object.columns, *(sync_object.derived or {})}
    read = {c for rule in sync_object.rules for c in (*rule.columns(), *rule.shown_columns())}
    assert read - built == set()
    assert set(sync_object.money_columns) - built == set()


def test_each_overrulable_reason_is_one_the_object_can_be_held_for() -> None:
    loader_held = {CONTACT_NEAR_MATCH, *GONE_IN_XERO}
    for o in OBJECTS:
        assert o.approvable - {rule.reason for rule in o.rules} - loader_held == set(), o.name
    assert CONTACTS.approvable == {"contact_name_near_match"}
    assert {
        "po_above_remaining_budget",
        "contact_name_near_match",
        "voided_in_xero",
        "missing_in_xero",
    } == APPROVABLE_REASONS
    assert released_by_approval("procore_to_xero") == ("purchase_orders",)
    assert released_by_approval("xero_to_procore") == ("xero_purchase_orders",)


def test_the_links_later_steps_read_are_those_earlier_steps_make() -> None:
    assert {
        "procore/projects",
        "procore/cost_codes",
        "pxsync/settings",
        "procore/vendors",
        "procore/work_order_contracts",
        "procore/purchase_order_contracts",
        "xero/contacts",
    } == REFERENCED_LATER


def test_an_object_declared_for_the_wrong_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="'contacts': a transform sends to Xero, a build to Procore"):
        SyncObject(
            name="contacts",
            direction=Direction.TO_PROCORE,
            dag="xero_to_procore",
            staged=("vendors",),
            target="vendors",
            natural_key={"origin_id": "source_id"},
            mapping="procore_xero.mapping.inbound.vendors",
            rules=(),
            transform=CONTACTS.transform,
        )
    with pytest.raises(ValueError, match="'contacts': its target is in the wrong system"):
        SyncObject(
            name="contacts",
            direction=Direction.TO_XERO,
            dag="procore_to_xero",
            staged=("vendors",),
            target="vendors",
            natural_key={"ContactNumber": "contact_number"},
            mapping="procore_xero.mapping.contacts",
            rules=(),
            transform=CONTACTS.transform,
        )
