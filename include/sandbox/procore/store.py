"""The emulator's in-memory records: collections keyed by id, plus who owns each record's ``origin_id``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.procore.money import decimalize

# Collections in the state, in the order the state lists them. Child collections hold lines of a parent.
COLLECTIONS: tuple[str, ...] = (
    "companies",
    "project_stages",
    "projects",
    "vendors",
    "line_item_types",
    "cost_codes",
    "budget_line_items",
    "budget_views",
    "work_order_contracts",
    "purchase_order_contracts",
    "commitment_line_items",
    "commitment_change_orders",
    "change_order_line_items",
    "requisitions",
    "contract_payments",
    "prime_contracts",
    "prime_contract_line_items",
    "payment_applications",
    "direct_costs",
)


FIRST_ID = 562_949_953_000_000  # Procore ids exceed 32 bits; so do the emulator's
# Work order and purchase order contracts are both commitments: one id sequence, so an id names one contract.
SHARED_COUNTERS = {"work_order_contracts": "commitments", "purchase_order_contracts": "commitments"}
# Records Procore publishes without a project reference find their project through a parent: collection ->
# (the field naming the parent, the parent's collections). Parents load first (``COLLECTIONS`` order).
PROJECT_THROUGH: dict[str, tuple[str, tuple[str, ...]]] = {
    "budget_line_items": ("cost_code", ("cost_codes",)),
    "commitment_line_items": ("holder", ("work_order_contracts", "purchase_order_contracts")),
    "commitment_change_orders": ("contract_id", ("work_order_contracts", "purchase_order_contracts")),
    "change_order_line_items": ("change_order_id", ("commitment_change_orders",)),
}
# Lines stored inside their record have their own id sequences.
NESTED_COUNTERS = {
    "requisition_items": ("requisitions", "items"),
    "direct_cost_line_items": ("direct_costs", "line_items"),
    "payment_application_items": ("payment_applications", "g703"),
}


def _link_project(record: dict[str, Any]) -> int | None:
    query = parse_qs(urlsplit((record.get("links") or {}).get("detail_rows") or "").query)
    return int(query["project_id"][0]) if query.get("project_id") else None


def iso(moment: datetime) -> str:
    """Procore's timestamp format: ISO 8601 in UTC with a Z, whole seconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Records as the API returns them (amounts as Decimal), and the integration that owns each origin_id."""

    def __init__(self, seed: dict[str, Any]) -> None:
        self.records: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in COLLECTIONS}
        # Told of every create, update and delete after the seed: (collection, record, event type).
        self.listeners: list[Callable[[str, dict[str, Any], str], None]] = []
        for name in COLLECTIONS:
            for record in seed.get(name, []):
                self.records[name][record["id"]] = decimalize(copy.deepcopy(record))
        # (collection, id) -> client_id that set the origin_id; None = an integration we have no client for
        self.origin_owner: dict[tuple[str, int], str | None] = {
            (o["resource"], o["id"]): o["client_id"] for o in seed.get("origin_owners", [])
        }
        for name, rows in self.records.items():
            for record_id, record in rows.items():
                if record.get("origin_id") is not None:
                    self.origin_owner.setdefault((name, record_id), None)
        first_company = next(iter(self.records["companies"]), None)
        # (collection, id) -> company: projects say so, project records follow their project, and the
        # company-wide directory (vendors, cost types, stages) of a seed belongs to its first company.
        self.company: dict[tuple[str, int], int | None] = {}
        # (collection, id) -> project, for project records: from the record, or through its parent.
        self.project: dict[tuple[str, int], int | None] = {}
        for name, rows in self.records.items():
            for record_id, record in rows.items():
                self.project[(name, record_id)] = self._project_from(name, record)
                self.company[(name, record_id)] = self._company_from(name, record, first_company)
        self._next_id: dict[str, int] = {}
        for name, rows in self.records.items():
            counter = SHARED_COUNTERS.get(name, name)
            self._next_id[counter] = max(
                self._next_id.get(counter, FIRST_ID + 1), max(rows, default=FIRST_ID) + 1
            )
        for counter, (parent, key) in NESTED_COUNTERS.items():
            nested = (line["id"] for record in self.records[parent].values() for line in record.get(key, []))
            self._next_id[counter] = max(nested, default=FIRST_ID) + 1

    def _project_from(self, collection: str, record: dict[str, Any]) -> int | None:
        if "project_id" in record:
            return record["project_id"]
        if isinstance(record.get("project"), dict):
            return record["project"]["id"]
        if record.get("biller_type") == "Project":  # cost codes belong to their biller
            return record.get("biller_id")
        if collection == "budget_views":  # published with its rows' link only
            return _link_project(record)
        if collection in PROJECT_THROUGH:
            field, parents = PROJECT_THROUGH[collection]
            ref = record.get(field)
            parent_id = ref["id"] if isinstance(ref, dict) else ref
            if parent_id is None:
                return None
            return next(
                (self.project[(p, parent_id)] for p in parents if (p, parent_id) in self.project), None
            )
        return None

    def _company_from(self, collection: str, record: dict[str, Any], default: int | None) -> int | None:
        if "company" in record:
            return record["company"]["id"]
        project_id = self.project.get((collection, record["id"]))
        if project_id is not None:
            return self.company.get(("projects", project_id), default)
        return default

    def new_id(self, collection: str) -> int:
        """A fresh id for a record (or for a line inside one, under its own counter)."""
        counter = SHARED_COUNTERS.get(collection, collection)
        record_id = self._next_id.setdefault(counter, FIRST_ID + 1)
        self._next_id[counter] += 1
        return record_id

    def company_of(self, collection: str, record: dict[str, Any]) -> int | None:
        return self.company.get((collection, record["id"]))

    def project_of(self, collection: str, record: dict[str, Any]) -> int | None:
        """The project a project record belongs to (None for company records)."""
        return self.project.get((collection, record["id"]))

    def get(self, collection: str, record_id: int) -> dict[str, Any] | None:
        return self.records[collection].get(record_id)

    def rows(self, collection: str) -> Iterator[dict[str, Any]]:
        return iter(self.records[collection].values())

    def put(
        self, collection: str, record: dict[str, Any], company_id: int, project_id: int | None = None
    ) -> dict[str, Any]:
        created = record["id"] not in self.records[collection]
        self.records[collection][record["id"]] = record
        self.company[(collection, record["id"])] = company_id
        if project_id is not None:
            self.project[(collection, record["id"])] = project_id
        self.touch(collection, record, "create" if created else "update")
        return record

    def touch(self, collection: str, record: dict[str, Any], event_type: str) -> None:
        """Tell the listeners (webhooks) that a stored record changed in place or was deleted."""
        for listener in self.listeners:
            listener(collection, record, event_type)

    def in_project(self, collection: str, project_id: int) -> Iterator[dict[str, Any]]:
        """The live (not deleted) records of one project."""
        return (
            r
            for r in self.records[collection].values()
            if self.project_of(collection, r) == project_id and not r.get("deleted_at")
        )

    def in_company(self, collection: str, company_id: int) -> Iterator[dict[str, Any]]:
        return (r for r in self.records[collection].values() if self.company_of(collection, r) == company_id)

    def find_origin(self, collection: str, company_id: int, origin_id: str) -> dict[str, Any] | None:
        """The record of this type in this company carrying ``origin_id`` (unique per company and type)."""
        return next(
            (r for r in self.in_company(collection, company_id) if r.get("origin_id") == origin_id), None
        )

    def dump(self) -> dict[str, Any]:
        owners = [
            {"resource": name, "id": record_id, "client_id": client}
            for (name, record_id), client in sorted(
                self.origin_owner.items(), key=lambda kv: (kv[0][0], kv[0][1])
            )
        ]
        return {**{name: list(rows.values()) for name, rows in self.records.items()}, "origin_owners": owners}


def project_of_records(state: dict[str, Any]) -> Callable[[str, dict[str, Any]], int | None]:
    """For a seed or a state dump: the project of a record of a collection, as the emulator scopes it
    (Procore publishes some records without a project reference; their parent has one)."""
    return Store(state).project_of
