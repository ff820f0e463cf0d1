"""Done-markers of an account's extract within one DAG run, so a retry resumes instead of starting over.

A first full extract of a large company takes hours at Procore's hourly limit; a worker killed half-way
would otherwise pay again for every read it had finished (most reads have no watermark to skip by: they
are read whole). Each finished read is marked for its (DAG, run); a later try of the same run skips the
marked reads. Markers of other runs are never used: a new run reads everything it is meant to. When one of
the account's extracts finishes every read, all the account's markers are deleted.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, select

from procore_xero.staging.dialect import upsert_insert
from procore_xero.staging.engine import transaction
from procore_xero.staging.keys import StagingKey
from procore_xero.staging.runs import TaskTry
from procore_xero.staging.schema import extract_progress
from procore_xero.staging.timestamps import utc_now


def mark_read_done(bind: Engine | Connection, task_try: TaskTry, object_type: str, key: StagingKey) -> None:
    """Record that ``object_type`` of ``key`` was read and staged in ``task_try``'s DAG run."""
    values = {
        "system": key.system.value,
        "account": key.account,
        "dag_id": task_try.dag_id,
        "run_id": task_try.run_id,
        "object_type": object_type,
        "scope": key.scope,
        "done_at": utc_now(),
    }
    with transaction(bind) as connection:
        insert = upsert_insert(connection, extract_progress)
        connection.execute(
            insert.values(**values).on_conflict_do_update(
                index_elements=[column.name for column in extract_progress.primary_key.columns],
                set_={"done_at": insert.excluded.done_at},
            )
        )


def reads_done(bind: Engine | Connection, task_try: TaskTry, account: StagingKey) -> set[tuple[str, str]]:
    """The (object type, scope) reads of ``account`` already finished in ``task_try``'s DAG run."""
    query = select(extract_progress.c.object_type, extract_progress.c.scope).where(
        extract_progress.c.system == account.system.value,
        extract_progress.c.account == account.account,
        extract_progress.c.dag_id == task_try.dag_id,
        extract_progress.c.run_id == task_try.run_id,
    )
    with transaction(bind) as connection:
        return {(row.object_type, row.scope) for row in connection.execute(query)}


def clear_reads_done(bind: Engine | Connection, account: StagingKey) -> int:
    """Forget every marker of ``account`` (its extract finished every read); returns how many."""
    with transaction(bind) as connection:
        return connection.execute(
            delete(extract_progress).where(
                extract_progress.c.system == account.system.value,
                extract_progress.c.account == account.account,
            )
        ).rowcount
