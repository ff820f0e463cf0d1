"""Staging database: API records per object type, watermarks, run log, id crosswalk and exception queue.

SQLite file by default (``STAGING_DB_URL`` selects another database, PostgreSQL in production); both
behave the same. Every function takes an Engine (own transaction) or a Connection (the caller's).
"""

from procore_xero.staging.connect import open_staging
from procore_xero.staging.engine import create_staging_engine, staging_url, transaction
from procore_xero.staging.exceptions_queue import (
    ExceptionDecisionError,
    ExceptionStatus,
    Problem,
    QueuedException,
    close_out_of_scope,
    decide,
    decided,
    decided_in_run,
    list_open,
    raise_exception,
    resolve,
    resolve_passed,
)
from procore_xero.staging.id_map import (
    Crosswalk,
    Mapping,
    all_links,
    lookup,
    lookup_mappings,
    record_mapping,
    reverse_lookup,
)
from procore_xero.staging.keys import StagingKey, TenantKey
from procore_xero.staging.migrations import MIGRATIONS, SchemaVersionError, ensure_schema
from procore_xero.staging.objects import OBJECT_TYPES, ObjectType, System, get_object_type
from procore_xero.staging.runs import RunStatus, TaskTry, finish_run, start_run
from procore_xero.staging.schema import staging_table
from procore_xero.staging.upsert import StagingRecordError, UpsertCounts, upsert_records
from procore_xero.staging.watermarks import clear_resume, get_resume, get_watermark, set_resume, set_watermark

__all__ = [
    "MIGRATIONS",
    "OBJECT_TYPES",
    "Crosswalk",
    "ExceptionDecisionError",
    "ExceptionStatus",
    "Mapping",
    "ObjectType",
    "Problem",
    "QueuedException",
    "RunStatus",
    "SchemaVersionError",
    "StagingKey",
    "StagingRecordError",
    "System",
    "TaskTry",
    "TenantKey",
    "UpsertCounts",
    "all_links",
    "clear_resume",
    "close_out_of_scope",
    "create_staging_engine",
    "decide",
    "decided",
    "decided_in_run",
    "ensure_schema",
    "finish_run",
    "get_object_type",
    "get_resume",
    "get_watermark",
    "list_open",
    "lookup",
    "lookup_mappings",
    "open_staging",
    "raise_exception",
    "record_mapping",
    "resolve",
    "resolve_passed",
    "reverse_lookup",
    "set_resume",
    "set_watermark",
    "staging_table",
    "staging_url",
    "start_run",
    "transaction",
    "upsert_records",
]
