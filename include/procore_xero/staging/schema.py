"""The staging schema as SQLAlchemy Core tables: always the latest version (migrations.py upgrades old files).

One table per registered object type (``procore_<type>`` / ``xero_<type>``) plus the bookkeeping tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from procore_xero.staging.column_types import ExactJSON, UTCDateTime
from procore_xero.staging.objects import OBJECT_TYPES, ObjectType, System, get_object_type

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SYSTEM = String(16)
OBJECT_NAME = String(64)
RECORD_ID = String(64)
TENANT_ID = String(36)
AIRFLOW_ID = String(250)  # Airflow's own limit for dag_id, task_id and run_id
SHA256_HEX = String(64)


def _account_columns(system: System) -> list[Column]:
    if system is System.PROCORE:
        return [
            Column("company_id", BigInteger, primary_key=True, autoincrement=False),
            Column("id", BigInteger, primary_key=True, autoincrement=False),
            Column("project_id", BigInteger, nullable=True),
        ]
    return [
        Column("tenant_id", TENANT_ID, primary_key=True),
        Column("id", RECORD_ID, primary_key=True),
    ]


def _staging_table(object_type: ObjectType) -> Table:
    return Table(
        object_type.table_name,
        metadata,
        *_account_columns(object_type.system),
        Column("updated_at", UTCDateTime, nullable=True, index=True),
        Column("deleted", Boolean, nullable=False),
        Column("raw", ExactJSON, nullable=False),
        Column("content_hash", SHA256_HEX, nullable=False),
        Column("first_seen_at", UTCDateTime, nullable=False),
        Column("last_seen_at", UTCDateTime, nullable=False),
        Column("last_run_id", AIRFLOW_ID, nullable=True),
    )


STAGING_TABLES: dict[ObjectType, Table] = {
    object_type: _staging_table(object_type) for object_type in OBJECT_TYPES.values()
}

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

# Rotating OAuth tokens (``procore_xero.clients.token_store``): one Fernet-encrypted row per connection.
oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("token_key", String(200), primary_key=True),  # e.g. "xero:<tenant id>", "procore:<company id>"
    Column("ciphertext", Text, nullable=True),  # Fernet token of the StoredToken JSON; NULL until first saved
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Calls in flight or recently made per API budget (``procore_xero.clients.shared_budget``), so that every
# process working for one Xero tenant or Procore app stays inside the same rate limits.
api_calls = Table(
    "api_calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("budget_key", String(200), nullable=False),  # e.g. "xero:<tenant id>", "procore:<client id>"
    Column("sent_at", Float, nullable=False),  # epoch seconds
    Column("done_at", Float, nullable=True),  # NULL while the call is in flight
    Index(None, "budget_key", "done_at"),
)

# The least each limit can be, as the answers showed it (a header's limit, or remaining + 1), so a process
# that has not had an answer yet uses what the others learnt.
api_limits = Table(
    "api_limits",
    metadata,
    Column("budget_key", String(200), primary_key=True),
    Column("window", String(32), primary_key=True),
    Column("floor", BigInteger, nullable=False),
    Column("seen_at", Float, nullable=False),  # epoch seconds; forgotten after the longest window
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("system", SYSTEM, primary_key=True),
    Column("object_type", OBJECT_NAME, primary_key=True),
    Column("account", RECORD_ID, primary_key=True),
    Column("scope", RECORD_ID, primary_key=True),
    Column("watermark", UTCDateTime, nullable=True),
    Column("resume", ExactJSON, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The reads an account's extract finished in a DAG run whose extract has not finished yet: a retry of the
# run (a killed worker, a spent rate limit) skips them instead of paying for them again. An account's rows
# are deleted when one of its extracts finishes every read (``procore_xero.staging.progress``).
extract_progress = Table(
    "extract_progress",
    metadata,
    Column("system", SYSTEM, primary_key=True),
    Column("account", RECORD_ID, primary_key=True),
    Column("dag_id", AIRFLOW_ID, primary_key=True),
    Column("run_id", AIRFLOW_ID, primary_key=True),
    Column("object_type", OBJECT_NAME, primary_key=True),
    Column("scope", RECORD_ID, primary_key=True),
    Column("done_at", UTCDateTime, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("dag_id", AIRFLOW_ID, primary_key=True),
    Column("run_id", AIRFLOW_ID, primary_key=True),
    Column("task_id", AIRFLOW_ID, primary_key=True),
    Column("map_index", Integer, primary_key=True, autoincrement=False),
    Column("try_number", Integer, primary_key=True, autoincrement=False),
    Column("system", SYSTEM, nullable=False),
    Column("object_type", OBJECT_NAME, nullable=False),
    Column("account", RECORD_ID, nullable=False),
    Column("scope", RECORD_ID, nullable=False),
    Column("started_at", UTCDateTime, nullable=False, index=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("duration_seconds", Float, nullable=True),
    Column("status", String(32), nullable=False),
    Column("records_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("deleted", Integer, nullable=False),
    Column("api_calls", Integer, nullable=False),
    Column("message", Text, nullable=True),
)

id_map = Table(
    "id_map",
    metadata,
    Column("company_id", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant_id", TENANT_ID, primary_key=True),
    Column("source_system", SYSTEM, primary_key=True),
    Column("source_type", OBJECT_NAME, primary_key=True),
    Column("source_id", RECORD_ID, primary_key=True),
    Column("target_system", SYSTEM, primary_key=True),
    Column("target_type", OBJECT_NAME, primary_key=True),
    Column("target_id", RECORD_ID, nullable=False),
    Column("payload_hash", SHA256_HEX, nullable=True),
    Column("target_updated_at", UTCDateTime, nullable=True),
    Column("synced_at", UTCDateTime, nullable=False),
    Index(None, "company_id", "tenant_id", "target_system", "target_type", "target_id"),
)

OPEN_EXCEPTION = text("status = 'open'")
PROBLEM_COLUMNS = ("company_id", "tenant_id", "source_system", "object_type", "source_id", "reason_code")

exceptions = Table(
    "exceptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("company_id", BigInteger, nullable=False),
    Column("tenant_id", TENANT_ID, nullable=False),
    Column("source_system", SYSTEM, nullable=False),
    Column("object_type", OBJECT_NAME, nullable=False),
    Column("source_id", RECORD_ID, nullable=False),
    Column("source_label", Text, nullable=False),
    Column("reason_code", OBJECT_NAME, nullable=False),
    Column("message", Text, nullable=False),
    Column("details", ExactJSON, nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("decided_by", AIRFLOW_ID, nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("run_id", AIRFLOW_ID, nullable=True),
    Column("occurrences", Integer, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # At most one open exception per problem: raising it again bumps ``occurrences`` instead.
    Index(
        "uq_exceptions_open_problem",
        *PROBLEM_COLUMNS,
        unique=True,
        sqlite_where=OPEN_EXCEPTION,
        postgresql_where=OPEN_EXCEPTION,
    ),
)

# Who may write one object type to one Xero tenant right now (``procore_xero.staging.write_leases``): a row
# is a lease until ``expires_at``; its holder renews it while writing and deletes it when done.
write_leases = Table(
    "write_leases",
    metadata,
    Column("tenant_id", TENANT_ID, primary_key=True),
    Column("object_type", OBJECT_NAME, primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# The job-cost figures per budget code, in the project's currency and in the base currency (whole cents).
JOB_COST_FIGURES = (
    "jtd_cost",
    "commitment_invoiced",
    "direct_costs",
    "jtd_cost_base",
    "commitment_invoiced_base",
    "direct_costs_base",
)
# The nightly job-cost figures per project and budget code, from Xero's books (``procore_xero.job_costs``),
# replaced whole for a tenant each night. Money in integer cents: exact on SQLite and PostgreSQL alike.
job_costs = Table(
    "job_costs",
    metadata,
    Column("company_id", BigInteger, primary_key=True, autoincrement=False),
    Column("tenant_id", TENANT_ID, primary_key=True),
    Column("project_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cost_code_id", BigInteger, primary_key=True, autoincrement=False),
    Column("line_item_type_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cost_code", String(100), nullable=False),
    Column("cost_type", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("base_currency", String(3), nullable=False),
    *(Column(f"{figure}_cents", BigInteger, nullable=False) for figure in JOB_COST_FIGURES),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("run_id", AIRFLOW_ID, nullable=True),
)

# Webhook deliveries the intake accepted (``procore_xero.events``), one row per event, de-duplicated on
# (source, delivery_key): Procore's ``ulid``, a digest of a Xero event. ``announced_at``: when Airflow's
# trigger turned it into an Asset event; ``consumed_at``: when an extract read the record it names.
feed_deliveries = Table(
    "feed_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", SYSTEM, nullable=False),
    Column("delivery_key", String(100), nullable=False),
    Column("account", RECORD_ID, nullable=False),
    Column("project_id", BigInteger, nullable=True),
    Column("resource_name", String(100), nullable=False),
    Column("resource_id", RECORD_ID, nullable=False),
    Column("event_type", String(16), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("payload", ExactJSON, nullable=False),
    Column("announced_at", UTCDateTime, nullable=True),
    Column("consumed_at", UTCDateTime, nullable=True),
    UniqueConstraint("source", "delivery_key"),
    Index(None, "source", "account", "consumed_at"),
)


def staging_table(system: str, object_type: str) -> Table:
    """The table holding one object type's staged records."""
    return STAGING_TABLES[get_object_type(system, object_type)]
