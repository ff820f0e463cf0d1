"""Whose data a row belongs to: a Procore company (and project) or a Xero tenant, or the pair of both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from procore_xero.staging.objects import System

if TYPE_CHECKING:  # no SQLAlchemy import at DAG parse time
    from sqlalchemy import ColumnElement, Table


@dataclass(frozen=True)
class StagingKey:
    """The account a batch of records was read from: ``company_id`` (+ ``project_id``) or ``tenant_id``."""

    company_id: int | None = None
    tenant_id: str | None = None
    project_id: int | None = None

    def __post_init__(self) -> None:
        if (self.company_id is None) == (self.tenant_id is None):
            raise ValueError("a StagingKey needs exactly one of company_id (Procore) or tenant_id (Xero)")
        if self.project_id is not None and self.company_id is None:
            raise ValueError("project_id scopes Procore records only")

    @property
    def system(self) -> System:
        return System.PROCORE if self.company_id is not None else System.XERO

    @property
    def account(self) -> str:
        """The account as text, for tables that hold both systems' keys."""
        return str(self.company_id) if self.company_id is not None else str(self.tenant_id)

    @property
    def scope(self) -> str:
        """The project id as text, or '' when the records are company- or tenant-wide."""
        return "" if self.project_id is None else str(self.project_id)


@dataclass(frozen=True)
class TenantKey:
    """One sync pairing: a Procore company connected to a Xero organisation."""

    company_id: int
    tenant_id: str

    def rows_of(self, table: Table) -> ColumnElement[bool]:
        """The condition selecting this pairing's rows of a table keyed by company_id and tenant_id."""
        return (table.c.company_id == self.company_id) & (table.c.tenant_id == self.tenant_id)
