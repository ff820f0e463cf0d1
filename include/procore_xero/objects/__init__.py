"""Every object the sync moves, in the order its DAG sends them, and the registries derived from them.

One module per object declares a ``SyncObject`` (``model.py``); ``OBJECTS`` lists them and everything the
pipeline looks up by object name or target type is derived here: each DAG's step order, the validation
suites, the Xero targets, the target types the frame contract accepts, the reasons a person may overrule
and the links later steps read. Cheap to import (no pandas, SQLAlchemy or Great Expectations): DAG files
read the step order while parsing.
"""

from __future__ import annotations

from procore_xero.objects.bills import BILLS
from procore_xero.objects.contacts import CONTACTS
from procore_xero.objects.direct_costs import DIRECT_COSTS
from procore_xero.objects.items import ITEMS
from procore_xero.objects.model import Direction, SyncObject, XeroTarget
from procore_xero.objects.payments import PAYMENTS
from procore_xero.objects.purchase_orders import PURCHASE_ORDERS
from procore_xero.objects.rules import ObjectRules
from procore_xero.objects.sales_invoices import SALES_INVOICES
from procore_xero.objects.tracking_options import TRACKING_OPTIONS
from procore_xero.objects.vendors import VENDORS
from procore_xero.objects.xero_purchase_orders import XERO_PURCHASE_ORDERS

# In dependency order within each DAG: a step's records may refer to those of the steps before it.
OBJECTS: tuple[SyncObject, ...] = (
    TRACKING_OPTIONS,
    ITEMS,
    CONTACTS,
    PURCHASE_ORDERS,
    BILLS,
    SALES_INVOICES,
    VENDORS,
    PAYMENTS,
    XERO_PURCHASE_ORDERS,
    DIRECT_COSTS,
)
BY_NAME: dict[str, SyncObject] = {o.name: o for o in OBJECTS}


def step_order(dag: str) -> tuple[str, ...]:
    """The objects ``dag`` sends, one task each, in order."""
    return tuple(o.name for o in OBJECTS if o.dag == dag)


def released_by_approval(dag: str) -> tuple[str, ...]:
    """The objects of ``dag`` whose own validation holds records a person may release: the steps an
    approval re-runs (records the loader holds are sent by the next run, which reads the approval)."""
    return tuple(o.name for o in OBJECTS if o.dag == dag and o.approvable & {rule.reason for rule in o.rules})


def _unique_targets() -> dict[str, XeroTarget]:
    targets: dict[str, XeroTarget] = {}
    for o in OBJECTS:
        if isinstance(o.target, XeroTarget) and targets.setdefault(o.target_type, o.target) != o.target:
            raise ValueError(f"sync objects declare Xero target {o.target_type!r} twice, differently")
    return targets


STEP_ORDER = step_order("procore_to_xero")
HOURLY_INBOUND_ORDER = step_order("xero_to_procore")
NIGHTLY_INBOUND_ORDER = step_order("job_costs")
# Validation suites, keyed like the settings' ``objects:`` section.
OBJECT_RULES: dict[str, ObjectRules] = {o.name: o.suite for o in OBJECTS}
# The Xero collections the loader writes, by target type.
TARGETS: dict[str, XeroTarget] = _unique_targets()
XERO_TARGET_TYPES = tuple(TARGETS)
PROCORE_TARGET_TYPES = tuple(o.target_type for o in OBJECTS if o.direction is Direction.TO_PROCORE)
# Every reason some object lets a person overrule (the approval page and the report list them).
APPROVABLE_REASONS = frozenset(reason for o in OBJECTS for reason in o.approvable)
# The run-level links (``system/type``) a step passes to the later steps of its DAG by XCom.
REFERENCED_LATER = frozenset(link for o in OBJECTS for link in o.referenced_later)

__all__ = [
    "APPROVABLE_REASONS",
    "BY_NAME",
    "HOURLY_INBOUND_ORDER",
    "NIGHTLY_INBOUND_ORDER",
    "OBJECTS",
    "OBJECT_RULES",
    "PROCORE_TARGET_TYPES",
    "REFERENCED_LATER",
    "STEP_ORDER",
    "TARGETS",
    "XERO_TARGET_TYPES",
    "Direction",
    "SyncObject",
    "XeroTarget",
    "released_by_approval",
    "step_order",
]
