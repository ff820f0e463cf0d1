"""Procore's error answers: ``{"errors": "..."}`` for calls, ``{"errors": {field: [why]}}`` for records."""

from __future__ import annotations

from typing import Any


class ProcoreError(Exception):
    """An API call refused with Procore's status and body; raised anywhere, answered by the app."""

    def __init__(
        self, status: int, errors: str | dict[str, list[str]], headers: dict[str, str] | None = None
    ):
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.body: dict[str, Any] = {"errors": errors}
        self.headers = headers or {}


class RecordInvalid(Exception):
    """One record failed validation: the per-field reasons, as Procore lists them (422, or a sync error)."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422):
        super().__init__(str(errors))
        self.errors = errors
        self.status = status

    @classmethod
    def field(cls, name: str, message: str, status: int = 422) -> RecordInvalid:
        return cls({name: [message]}, status)


def not_found(kind: str, record_id: object) -> ProcoreError:
    return ProcoreError(404, f"{kind} {record_id} was not found")


def bad_request(message: str) -> ProcoreError:
    return ProcoreError(400, message)
