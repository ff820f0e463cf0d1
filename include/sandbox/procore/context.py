"""Who is calling and in which company / project: what every handler and record builder needs to know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.procore.store import Store


@dataclass(frozen=True)
class CallContext:
    """Set by the gate once the bearer token and ``Procore-Company-Id`` are checked."""

    client_id: str
    company_id: int


@dataclass(frozen=True)
class WriteContext:
    """What a record builder may look at: the store, the caller, the project and extra query parameters."""

    store: Store
    call: CallContext
    project: dict[str, Any] | None
    params: dict[str, Any]
    now: str  # ISO timestamp of this write on the sandbox clock

    @property
    def project_id(self) -> int | None:
        return self.project["id"] if self.project else None
