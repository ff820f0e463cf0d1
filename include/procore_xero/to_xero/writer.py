"""The target-writer port for Xero: every write the Xero loader makes goes through one of these.

``XeroApiWriter`` sends it; a dry run gets ``RecordingXeroWriter``, which sends nothing, keeps what it would
have sent, and answers as Xero would without writing: each element OK, with its own id when it names one
(an update) and ``DRY_RUN_ID`` when Xero would have given it one (a create).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from procore_xero.clients import ElementResult, XeroClient
from procore_xero.to_xero.targets import Target

DRY_RUN_ID = "(dry run)"  # stands for the id Xero would give a record a dry run did not create
CATEGORIES = "TrackingCategories"


class XeroWriter(Protocol):
    def save(
        self,
        endpoint: str,
        target: Target,
        bodies: Sequence[dict[str, Any]],
        *,
        method: str,
        idempotency_key: str,
    ) -> list[ElementResult]:
        """One batch of ``target`` records (PUT creates, POST updates); one result per body, in order."""
        ...

    def create_category(self, name: str) -> dict[str, Any]:
        """Create the tracking category ``name``; its record (``RequestRejected`` if Xero refuses)."""
        ...


@dataclass(frozen=True)
class XeroApiWriter:
    client: XeroClient

    def save(
        self,
        endpoint: str,
        target: Target,
        bodies: Sequence[dict[str, Any]],
        *,
        method: str,
        idempotency_key: str,
    ) -> list[ElementResult]:
        return self.client.save(
            endpoint, bodies, method=method, idempotency_key=idempotency_key, key=target.key
        )

    def create_category(self, name: str) -> dict[str, Any]:
        (result,) = self.client.save(CATEGORIES, [{"Name": name}], idempotency_key=f"pxsync-category-{name}")
        return result.element


@dataclass
class RecordingXeroWriter:
    """``sent``: (method, endpoint, bodies) of every write a real run would have made, in order."""

    sent: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)

    def save(
        self,
        endpoint: str,
        target: Target,
        bodies: Sequence[dict[str, Any]],
        *,
        method: str,
        idempotency_key: str,
    ) -> list[ElementResult]:
        self.sent.append((method, endpoint, list(bodies)))
        return [
            ElementResult(i, "OK", {target.id_field: body.get(target.id_field, DRY_RUN_ID)}, [], [])
            for i, body in enumerate(bodies)
        ]

    def create_category(self, name: str) -> dict[str, Any]:
        self.sent.append(("PUT", CATEGORIES, [{"Name": name}]))
        return {"Name": name, "TrackingCategoryID": None}
