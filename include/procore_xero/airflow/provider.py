"""The provider entry point (``apache_airflow_provider`` in pyproject.toml): connection types ``procore``
and ``xero`` for the Connections page, with the form fields of the format ``hooks`` reads.

Declared as data (Airflow 3.2+ ``conn-fields`` / ``ui-field-behaviour``) rather than the hooks'
``get_connection_form_widgets`` / ``get_ui_field_behaviour``, which Airflow 3.2 deprecated: the page then
lists the types without importing the hooks. Extra fields are stored under their own names in the
connection's extra JSON (``company_id``, ``tenant_id``...), as the hooks and existing connections have them.
Every process that lists providers calls ``get_provider_info``: it imports nothing.
"""

from __future__ import annotations

from typing import Any

PACKAGE_NAME = "procore-xero-sync"  # must equal the distribution name in pyproject.toml

_TOKEN_FIELDS: dict[str, Any] = {
    "grant_type": {
        "label": "Grant type",
        "description": "client_credentials (service account, custom connection) or refresh_token (OAuth app)",
        "schema": {
            "type": ["string", "null"],
            "enum": ["client_credentials", "refresh_token"],
            "default": "client_credentials",
        },
    },
    "token_url": {
        "label": "Token URL",
        "description": "Leave empty for the service's own token endpoint",
        "schema": {"type": ["string", "null"], "format": "url"},
    },
    "refresh_token": {
        "label": "First refresh token",
        "description": "refresh_token grant only: used once, then the rotated tokens live in the token store",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
}


def _connection_type(conn_type: str, name: str, account: dict[str, Any], host: str) -> dict[str, Any]:
    return {
        "connection-type": conn_type,
        "hook-class-name": f"procore_xero.airflow.hooks.{name}Hook",
        "hook-name": name,
        "ui-field-behaviour": {
            "hidden-fields": ["schema", "port"],
            "relabeling": {"host": "API base URL", "login": "Client ID", "password": "Client Secret"},
            "placeholders": {"host": host},
        },
        "conn-fields": {**account, **_TOKEN_FIELDS},
    }


def get_provider_info() -> dict[str, Any]:
    """What Airflow's ProvidersManager reads (``airflow/provider_info.schema.json``)."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "Procore Xero sync",
        "description": "Procore and Xero connections of the Procore <-> Xero sync",
        "connection-types": [
            _connection_type(
                "procore",
                "Procore",
                {
                    "company_id": {
                        "label": "Company ID",
                        "description": "The Procore company the sync reads and writes (a number)",
                        "schema": {"type": ["integer", "null"]},
                    }
                },
                "https://api.procore.com",
            ),
            _connection_type(
                "xero",
                "Xero",
                {
                    "tenant_id": {
                        "label": "Tenant ID",
                        "description": "The Xero organisation (tenantId from GET /connections)",
                        "schema": {"type": ["string", "null"]},
                    },
                    "daily_limit": {
                        "label": "Daily call limit",
                        "description": "5000, or 1000 on Xero's Starter tier; empty for 5000",
                        "schema": {"type": ["integer", "null"], "minimum": 1},
                    },
                },
                "https://api.xero.com",
            ),
        ],
    }
