"""Commitments (work order and purchase order contracts) as purchase orders and bills both see them: one
frame, and the Xero PO number each gets.

Procore numbers commitments per project (every project has its ``SC-001``) while Xero wants a purchase
order number unique in the organisation, so the PO number is built from the ``po_number`` setting
(default ``{job_number}-{number}``); a project without a job number (never synced) uses its id.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from procore_xero.extract.specs import COMMITMENT_TYPES
from procore_xero.mapping.frames import format_columns, id_text, pluck, text_or_none
from procore_xero.mapping.spec import MappingSpec


def all_commitments(
    work_order_contracts: pd.DataFrame, purchase_order_contracts: pd.DataFrame
) -> pd.DataFrame:
    """Both kinds in one frame, ``commitment_type`` naming the Procore collection of each."""
    kinds = zip(COMMITMENT_TYPES, (work_order_contracts, purchase_order_contracts), strict=True)
    return pd.concat(
        [frame.assign(commitment_type=kind) for kind, frame in kinds if len(frame)], ignore_index=True
    )


def commitments_of(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``all_commitments`` of the staged frames by type (bills and POs, both directions, treat them alike)."""
    return all_commitments(*(frames[kind] for kind in COMMITMENT_TYPES))


def po_numbers(commitments: pd.DataFrame, projects: pd.DataFrame, spec: MappingSpec) -> pd.Series:
    """The Xero PurchaseOrderNumber of each commitment (aligned with ``commitments``)."""
    project_ids = id_text(projects["id"])
    job_numbers = text_or_none(projects["project_number"]).fillna(project_ids)
    project_key = id_text(pluck(commitments["project"], "id")).map(
        dict(zip(project_ids, job_numbers, strict=True))
    )
    return format_columns(
        spec.settings.po_number,
        {"job_number": project_key, "number": commitments["number"].astype(object)},
    )
