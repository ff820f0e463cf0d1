"""Staged Xero records as DataFrames, one row per record, one column per top-level field (like ``staged``)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from procore_xero.mapping.staged import records_frame
from procore_xero.staging import staging_table


def read_xero_staged(
    engine: Engine, object_type: str, tenant_id: str, *, include_deleted: bool = False
) -> pd.DataFrame:
    """The ``xero_<object_type>`` records of one organisation; DELETED / ARCHIVED ones only when asked
    (a deleted payment must be seen to be reversed)."""
    table = staging_table("xero", object_type)
    query = select(table.c.raw).where(table.c.tenant_id == tenant_id).order_by(table.c.id)
    if not include_deleted:
        query = query.where(~table.c.deleted)
    with engine.connect() as connection:
        return records_frame(connection.execute(query).scalars())
