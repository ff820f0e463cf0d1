"""Procore into staging: one generic read for every ``ProcoreSpec``, windowed on ``filters[updated_at]``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from procore_xero.clients import ProcoreClient
from procore_xero.extract.runner import Extraction, Pages, Read, from_iso, iso, read_since
from procore_xero.extract.specs import PROCORE_SPECS, ProcoreSpec
from procore_xero.staging import StagingKey, TaskTry, set_resume, staging_table
from procore_xero.staging.jsoncodec import content_hash

SYSTEM = "procore"


def extract_procore(
    client: ProcoreClient,
    engine: Engine,
    object_type: str,
    *,
    task_try: TaskTry,
    window_end: datetime,
    window_start: datetime | None = None,
    project_id: int | None = None,
    full_refresh: bool = False,
) -> dict[str, Any]:
    """Stage one object type (of one project, for project-scoped types) changed in the window.

    Reads ``filters[updated_at]=since...window_end`` where ``since`` is the watermark or the window start,
    whichever is earlier; everything on a full refresh or the first run; deletions where the endpoint lists
    them. Returns counts and API calls (no secrets, fit for XCom).
    """
    spec = PROCORE_SPECS[object_type]
    if spec.project_scoped != (project_id is not None):
        raise ValueError(f"procore {object_type} is {'' if spec.project_scoped else 'not '}project-scoped")
    key = StagingKey(company_id=client.company_id, project_id=project_id)
    extraction = Extraction(engine, SYSTEM, object_type, key, task_try, lambda: client.api.calls.total)
    resume = None if full_refresh else extraction.resume_point()
    query = (
        resume["query"]
        if resume
        else {
            "since": iso(read_since(engine, object_type, key, window_start, full_refresh=full_refresh)),
            "until": iso(window_end),
        }
    )
    since, until = from_iso(query["since"]), from_iso(query["until"])
    assert until is not None
    done_through = tuple(resume["after"]) if resume and "after" in resume else None
    read = (
        Read(
            lambda _: _nested_pages(
                client,
                engine,
                spec,
                key,
                since,
                until,
                ParentProgress(engine, spec.name, key, query, done_through),
            ),
            query,
            resumable=False,
        )
        if spec.nested
        else Read(
            lambda start: _with_details(
                client, engine, spec, key, _pages(client, spec, key, since, until, start)
            ),
            query,
        )
    )
    return extraction.run(read, watermark=lambda: until)


def _path(spec: ProcoreSpec, key: StagingKey, **more: Any) -> str:
    return spec.path.format(company_id=key.company_id, project_id=key.project_id, **more)


def _scope_params(spec: ProcoreSpec, key: StagingKey) -> dict[str, Any]:
    """The scope parameter Procore requires: ``project_id``, or ``company_id`` on company lists (projects,
    vendors, cost types) unless the path names the company."""
    if spec.project_scoped:
        return {} if "{project_id}" in spec.path else {"project_id": key.project_id}
    return {} if "{company_id}" in spec.path else {"company_id": key.company_id}


def _pages(
    client: ProcoreClient,
    spec: ProcoreSpec,
    key: StagingKey,
    since: datetime | None,
    until: datetime,
    start_page: int,
) -> Pages:
    params = {**_scope_params(spec, key), **dict(spec.params)}
    if spec.deletions:
        params["filters[include_deleted]"] = "with"
    if not spec.paged:
        return iter([list(client.get(_path(spec, key), params) or [])])
    window = (since, until) if spec.incremental and since is not None else None
    return client.pages(_path(spec, key), params, updated_between=window, start_page=start_page)


@dataclass(frozen=True)
class ParentProgress:
    """Where a nested read got to: after each parent's rows are staged, its (parent type, id) is the read's
    resume point, so a read cut short (a killed worker, a spent limit) continues with the next parent."""

    engine: Engine
    object_type: str
    key: StagingKey
    query: dict[str, Any]
    done_through: tuple[str, int] | None  # the last parent already staged (parents go in a fixed order)

    def done(self, parent_types: tuple[str, ...], parent_type: str, parent_id: int) -> bool:
        if self.done_through is None:
            return False
        last_type, last_id = self.done_through
        order = parent_types.index(parent_type), parent_id
        return order <= (parent_types.index(last_type), last_id)

    def staged(self, parent_type: str, parent_id: int) -> None:
        set_resume(
            self.engine, self.object_type, self.key, {"after": [parent_type, parent_id], "query": self.query}
        )


def _nested_pages(
    client: ProcoreClient,
    engine: Engine,
    spec: ProcoreSpec,
    key: StagingKey,
    since: datetime | None,
    until: datetime,
    progress: ParentProgress,
) -> Iterator[list[dict[str, Any]]]:
    """Each staged parent's list (or its show's ``embedded`` rows) in turn: the parents changed in the
    window, or all of them on a full read and for rows that change without their parent (``every_parent``);
    parents an interrupted read already staged are skipped."""
    params = {"project_id": key.project_id}
    changed_since = None if spec.every_parent or spec.billed_parents else since
    billed = _billed_commitments(engine, key, since, until) if spec.billed_parents else None
    for parent_type in spec.parents:
        for parent_id in _staged_parents(engine, parent_type, key, changed_since, until):
            if (billed is not None and parent_id not in billed) or progress.done(
                spec.parents, parent_type, parent_id
            ):
                continue
            if spec.parent_param:
                yield from client.pages(_path(spec, key), {**params, spec.parent_param: parent_id})
            else:
                path = _path(spec, key, parent_type=parent_type, parent_id=parent_id)
                if spec.embedded:
                    yield list(client.get(path, params).get(spec.embedded) or [])
                else:
                    yield from client.pages(path, params)
            progress.staged(parent_type, parent_id)  # resumed here only once its last page was upserted


def _billed_commitments(engine: Engine, key: StagingKey, since: datetime | None, until: datetime) -> set[int]:
    """Commitments named by the project's staged subcontractor invoices changed in the window (all of
    them on a full read): those whose payments may have moved (an invoice approved, paid, billed)."""
    table = staging_table(SYSTEM, "requisitions")
    query = select(table.c.raw).where(
        table.c.company_id == key.company_id, table.c.project_id == key.project_id, ~table.c.deleted
    )
    if since is not None:
        query = query.where(table.c.updated_at >= since, table.c.updated_at <= until)
    with engine.connect() as connection:
        invoices: list[dict[str, Any]] = list(connection.execute(query).scalars())
    return {int(raw["commitment_id"]) for raw in invoices if raw.get("commitment_id")}


def _with_details(
    client: ProcoreClient, engine: Engine, spec: ProcoreSpec, key: StagingKey, pages: Pages
) -> Iterator[list[dict[str, Any]]]:
    """Each listed record, completed from its show (``detail_path``) unless its staged copy already holds
    every listed field as listed: an unchanged owner invoice costs no call."""
    if spec.detail_path is None:
        yield from pages
        return
    for page in pages:
        staged = _staged_records(engine, spec.name, key, [record["id"] for record in page])
        yield [
            staged[record["id"]]
            if _holds(staged.get(record["id"]), record)
            else {**client.get(spec.detail_path.format(id=record["id"]), _scope_params(spec, key)), **record}
            for record in page
        ]


def _holds(staged: dict[str, Any] | None, listed: dict[str, Any]) -> bool:
    return staged is not None and content_hash({k: staged.get(k) for k in listed}) == content_hash(listed)


def _staged_records(engine: Engine, object_type: str, key: StagingKey, ids: list[Any]) -> dict[Any, dict]:
    table = staging_table(SYSTEM, object_type)
    query = select(table.c.id, table.c.raw).where(
        table.c.company_id == key.company_id, table.c.project_id == key.project_id, table.c.id.in_(ids)
    )
    with engine.connect() as connection:
        return {row.id: row.raw for row in connection.execute(query)}


def _staged_parents(
    engine: Engine, parent_type: str, key: StagingKey, since: datetime | None, until: datetime
) -> list[int]:
    table = staging_table(SYSTEM, parent_type)
    query = select(table.c.id).where(
        table.c.company_id == key.company_id, table.c.project_id == key.project_id, ~table.c.deleted
    )
    if since is not None:
        query = query.where(table.c.updated_at >= since, table.c.updated_at <= until)
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(table.c.id)).scalars())


def staged_project_ids(engine: Engine, company_id: int) -> list[int]:
    """The company's projects in staging (not deleted): what the project-scoped reads fan out over."""
    table = staging_table(SYSTEM, "projects")
    query = select(table.c.id).where(table.c.company_id == company_id, ~table.c.deleted)
    with engine.connect() as connection:
        return list(connection.execute(query.order_by(table.c.id)).scalars())
