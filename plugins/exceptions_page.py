"""Airflow plugin: the controller's exceptions page (procore_xero/airflow/exceptions_page.py), mounted in
the API server and listed in the UI's Browse menu."""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from procore_xero.airflow.exceptions_page import PAGE_PATH, URL_PREFIX, create_exceptions_app


class ExceptionsPagePlugin(AirflowPlugin):
    name = "pxsync_exceptions"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": create_exceptions_app(), "url_prefix": URL_PREFIX, "name": "Open exceptions"}
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {
            "name": "Open exceptions",
            "href": f"{URL_PREFIX}{PAGE_PATH}",
            "url_route": "pxsync_exceptions",  # shown inside the UI (an iframe); links open at the top
            "destination": "nav",
            "category": "browse",
        }
    ]
