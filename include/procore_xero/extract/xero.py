"""Xero into staging: one generic read for every ``XeroSpec``, incremental on ``If-Modified-Since``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from procore_xero.clients import XeroClient
from procore_xero.extract.runner import Extraction, Pages, Read, from_iso, iso, read_since
from procore_xero.extract.specs import XERO_SPECS, XeroSpec
from procore_xero.staging import StagingKey, TaskTry, staging_table

SYSTEM = "xero"


def extract_xero(
    client: XeroClient,
    engine: Engine,
    object_type: str,
    *,
    task_try: TaskTry,
    window_start: datetime | None = None,
    full_refresh: bool = False,
) -> dict[str, Any]:
    """Stage one object type of the client's tenant modified since the watermark (or the window start, if
    earlier); everything on a full refresh or the first run. The watermark becomes the latest
    ``UpdatedDateUTC`` staged, so the clocks of Airflow and Xero never need to agree."""
    spec = XERO_SPECS[object_type]
    key = StagingKey(tenant_id=client.tenant_id)
    extraction = Extraction(engine, SYSTEM, object_type, key, task_try, lambda: client.api.calls.total)
    resume = None if full_refresh else extraction.resume_point()
    since = (
        read_since(engine, object_type, key, window_start, full_refresh=full_refresh)
        if spec.incremental
        else None
    )
    query = resume["query"] if resume else {"since": iso(since)}
    read = Read(lambda start: _pages(client, spec, from_iso(query["since"]), start), query)
    return extraction.run(read, watermark=lambda: _latest_staged(engine, object_type, key))


def _pages(client: XeroClient, spec: XeroSpec, since: datetime | None, start_page: int) -> Pages:
    params = dict(spec.params)
    if spec.paged:
        yield from client.pages(spec.endpoint, params, modified_since=since, start_page=start_page)
    else:
        body = client.get(spec.endpoint, params, modified_since=since) or {}
        yield list(body.get(spec.endpoint, []))


def _latest_staged(engine: Engine, object_type: str, key: StagingKey) -> datetime | None:
    table = staging_table(SYSTEM, object_type)
    with engine.connect() as connection:
        return connection.execute(
            select(func.max(table.c.updated_at)).where(table.c.tenant_id == key.tenant_id)
        ).scalar_one()
