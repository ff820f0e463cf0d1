"""Staged Procore records as DataFrames: one row per live record, one column per top-level field.

Amounts stay ``Decimal`` (the staging codec parses them so; the frame keeps them as objects).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, func, select

from procore_xero.staging import staging_table


def read_staged(engine: Engine, object_type: str, company_id: int | None = None) -> pd.DataFrame:
    """The not-deleted ``procore_<object_type>`` records (of one company when given), each with
    ``staged_project_id``: the project it was read under, the only project reference some resources
    have (Procore publishes none on prime contracts and owner invoices)."""
    table = staging_table("procore", object_type)
    query = select(table.c.raw, table.c.project_id).where(~table.c.deleted).order_by(table.c.id)
    if company_id is not None:
        query = query.where(table.c.company_id == company_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return records_frame({**row.raw, STAGED_PROJECT: row.project_id} for row in rows)


STAGED_PROJECT = "staged_project_id"


def has_staged(engine: Engine, object_type: str, company_id: int) -> bool:
    """Whether any ``procore_<object_type>`` record of the company was ever staged (deleted ones count: the
    company was read), so a tenant whose first extract has not run yet can be told apart from an empty one."""
    table = staging_table("procore", object_type)
    query = select(func.count()).select_from(table).where(table.c.company_id == company_id)
    with engine.connect() as connection:
        return bool(connection.execute(query).scalar_one())


def records_frame(records: Iterable[dict]) -> pd.DataFrame:
    """API records as a frame whose columns are object-typed, so ints, Decimals and dicts stay as sent; a
    field some records lack is None in those rows (never float NaN, which ``value or default`` keeps)."""
    frame = pd.DataFrame.from_records(list(records)).astype(object)
    return frame.where(frame.notna(), None)
