"""The tracking category that holds one option per project: found by name, or created when Xero's limit
of two active categories allows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from procore_xero.clients import RequestRejected, XeroClient
from procore_xero.to_xero.reads import unpaged_records
from procore_xero.to_xero.writer import XeroWriter

MAX_ACTIVE_CATEGORIES = 2


@dataclass(frozen=True)
class CategoryLookup:
    """The category record (in a dry run, a stand-in without id when it would be created), or why not."""

    category: dict[str, Any] | None
    problem: str | None = None


def project_category(client: XeroClient, writer: XeroWriter, name: str) -> CategoryLookup:
    """Read through ``client``; a category to create goes through ``writer`` (a dry run's answers a stand-in
    without id)."""
    # Xero lists archived categories (and options) only when asked; an archived one must be seen to be named
    categories = unpaged_records(client, "TrackingCategories", {"includeArchived": "true"})
    same_name = [c for c in categories if str(c.get("Name", "")).strip().lower() == name.strip().lower()]
    if same_name:
        category = same_name[0]
        if category.get("Status", "ACTIVE") != "ACTIVE":
            return CategoryLookup(None, f"Tracking category {name!r} is archived in Xero: restore it first.")
        return CategoryLookup(category)
    active = [c["Name"] for c in categories if c.get("Status", "ACTIVE") == "ACTIVE"]
    if len(active) >= MAX_ACTIVE_CATEGORIES:
        return CategoryLookup(
            None,
            f"Tracking category {name!r} cannot be created: Xero allows {MAX_ACTIVE_CATEGORIES} active "
            f"categories and {', '.join(active)} are active. Archive one or rename one to {name!r}.",
        )
    try:
        created = writer.create_category(name)
    except RequestRejected as rejected:
        return CategoryLookup(None, f"Xero refused tracking category {name!r}: {_messages(rejected)}")
    return CategoryLookup({"Options": [], **created})


def _messages(rejected: RequestRejected) -> str:
    """Xero's validation messages from a 400 ValidationException, else its detail."""
    body = rejected.body if isinstance(rejected.body, dict) else {}
    messages = [
        error.get("Message", "")
        for element in body.get("Elements") or []
        for error in element.get("ValidationErrors") or []
    ]
    return "; ".join(messages) or str(rejected)
