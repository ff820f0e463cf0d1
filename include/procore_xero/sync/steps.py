"""The objects the sync sends, in dependency order, each with the staged inputs its transform reads.

A step's ``transform`` receives the staged frames by type, what is known in Xero and the mapping spec, so
every step is called the same way whatever its transform's own signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from procore_xero.mapping import (
    KnownInXero,
    MappingSpec,
    transform_bills,
    transform_contacts,
    transform_items,
    transform_tracking_options,
)
from procore_xero.mapping.budget_view import budget_figures
from procore_xero.mapping.commitments import all_commitments
from procore_xero.mapping.purchase_orders import transform_purchase_orders
from procore_xero.mapping.sales_invoices import transform_sales_invoices
from procore_xero.sync.order import STEP_ORDER

Frames = Mapping[str, pd.DataFrame]
COMMITMENT_TYPES = ("work_order_contracts", "purchase_order_contracts")


@dataclass(frozen=True)
class Step:
    """``staged``: the Procore staging types read; ``documents``: project documents (the ``project_number``
    Param narrows them), as opposed to reference data, which is always sent whole."""

    name: str
    staged: tuple[str, ...]
    transform: Callable[[Frames, KnownInXero, MappingSpec], pd.DataFrame]
    documents: bool = False


def commitments(frames: Frames) -> pd.DataFrame:
    """Work order and purchase order contracts as one frame (bills and POs treat them alike)."""
    return all_commitments(*(frames[name] for name in COMMITMENT_TYPES))


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "tracking_options", ("projects",), lambda f, _k, s: transform_tracking_options(f["projects"], s)
        ),
        Step(
            "items",
            ("cost_codes", "line_item_types"),
            lambda f, _k, s: transform_items(f["cost_codes"], f["line_item_types"], s),
        ),
        Step("contacts", ("vendors",), lambda f, _k, s: transform_contacts(f["vendors"], s)),
        Step(
            "purchase_orders",
            (
                *COMMITMENT_TYPES,
                "commitment_line_items",
                "commitment_change_orders",
                "budget_view_detail_rows",
                "line_item_types",
                "projects",
            ),
            lambda f, k, s: transform_purchase_orders(
                commitments(f),
                f["commitment_line_items"],
                f["commitment_change_orders"],
                budget_figures(f["budget_view_detail_rows"], f["line_item_types"]),
                f["projects"],
                k,
                s,
            ),
            documents=True,
        ),
        Step(
            "bills",
            (
                "requisitions",
                *COMMITMENT_TYPES,
                "commitment_line_items",
                "projects",
                "cost_codes",
                "line_item_types",
            ),
            lambda f, k, s: transform_bills(
                f["requisitions"],
                commitments(f),
                f["commitment_line_items"],
                f["projects"],
                f["cost_codes"],
                f["line_item_types"],
                k,
                s,
            ),
            documents=True,
        ),
        Step(
            "sales_invoices",
            (
                "payment_applications",
                "prime_contracts",
                "prime_contract_line_items",
                "cost_codes",
                "line_item_types",
            ),
            lambda f, k, s: transform_sales_invoices(
                f["payment_applications"],
                f["prime_contracts"],
                f["prime_contract_line_items"],
                f["cost_codes"],
                f["line_item_types"],
                k,
                s,
            ),
            documents=True,
        ),
    )
}
if tuple(STEPS) != STEP_ORDER:
    raise RuntimeError(f"sync steps {tuple(STEPS)} differ from procore_xero.sync.order {STEP_ORDER}")
