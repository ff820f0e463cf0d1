"""Airflow plugin: the controller's exceptions page (procore_xero/airflow/exceptions_page.py), mounted in
the API server and listed in the UI's Browse menu."""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

from procore_xero.airflow.exceptions_page import PAGE_PATH, URL_PREFIX, create_exceptions_app


class ExceptionsPagePlugin(AirflowPlugin):
    name = "pxsync_exceptions"
    # AirflowPlugin declares its parts as (mutable) class attributes: no ClassVar on an override
    fastapi_apps: list[Any] = [  # noqa: RUF012
        {"app": create_exceptions_app(), "url_prefix": URL_PREFIX, "name": "Open exceptions"}
    ]
    external_views: list[Any] = [  # noqa: RUF012
        {
            "name": "Open exceptions",
            "href": f"{URL_PREFIX}{PAGE_PATH}",
            "url_route": "pxsync_exceptions",  # shown inside the UI (an iframe); links open at the top
            "destination": "nav",
            "category": "browse",
        }
    ]
