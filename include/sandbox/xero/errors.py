"""Xero's error bodies: the gateway's problem shape (401/403/404/429) and the API's Error shape (400/500)."""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.xero.jsonout import XeroJSONResponse

SERVER_ERROR_MESSAGE = (
    "An error occurred in Xero. Check the API Status page http://status.developer.xero.com "
    "for current service status."
)


def problem(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> XeroJSONResponse:
    body: dict[str, Any] = {
        "Type": None,
        "Title": title,
        "Status": status,
        "Detail": detail,
        "Instance": str(uuid.uuid4()),
        "Extensions": {},
    }
    return XeroJSONResponse(body, status_code=status, headers=headers)


def unauthorized(detail: str = "AuthenticationUnsuccessful") -> XeroJSONResponse:
    return problem(401, "Unauthorized", detail, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def forbidden(detail: str = "AuthenticationUnsuccessful") -> XeroJSONResponse:
    return problem(403, "Forbidden", detail)


def not_found(what: str) -> XeroJSONResponse:
    return problem(404, "Not Found", f"The resource you're looking for cannot be found: {what}")


def api_error(status: int, number: int, kind: str, message: str, **extra: Any) -> XeroJSONResponse:
    return XeroJSONResponse(
        {"ErrorNumber": number, "Type": kind, "Message": message, **extra}, status_code=status
    )


def validation_exception(elements: list[dict[str, Any]]) -> XeroJSONResponse:
    return api_error(400, 10, "ValidationException", "A validation exception occurred", Elements=elements)


def query_error(message: str) -> XeroJSONResponse:
    return api_error(400, 16, "QueryParseException", message)


def post_data_invalid(message: str) -> XeroJSONResponse:
    return api_error(400, 14, "PostDataInvalidException", message)


def server_error() -> XeroJSONResponse:
    return api_error(500, 500, "UnknownErrorException", SERVER_ERROR_MESSAGE)
