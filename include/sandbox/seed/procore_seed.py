"""The Procore half of the demo seed: a mid-sized US general contractor, in Procore's JSON representation.

Deterministic: everything comes from the ``rng`` passed in. Amounts are computed as Decimals (G702 arithmetic
through ``sandbox.procore.g702``, the same code the emulator uses) and written as two-decimal JSON numbers.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.procore.builders import HOLDER_TYPES, PAYMENT_STATUS, full_vendor
from sandbox.procore.g702 import ZERO, retainage_on
from sandbox.procore.invoice_items import (
    Billed,
    Position,
    bill_items,
    change_orders,
    positions_after,
    summarise,
)
from sandbox.procore.money import CENT, plain, to_money
from sandbox.procore.owner_invoices import contract_ref, g702_summary, g703_items, g703_positions
from sandbox.procore.store import FIRST_ID, iso

COMPANY_ID = 4_000_000_123
SEND_TO_XERO = "Send to Xero"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
LAST_DAY = date(2026, 10, 31)
STAGES = (
    ("Pre-Construction", "pre_construction"),
    ("Course of Construction", "course_of_construction"),
    (SEND_TO_XERO, "course_of_construction"),
    ("Post-Construction", "post_construction"),
    ("Closeout", "post_construction"),
    ("Completed", "completed"),
)
COST_TYPES = (
    ("L", "Labor", "Labor"),
    ("M", "Materials", "Materials"),
    ("S", "Subcontract", "Commitment"),
    ("E", "Equipment", "Equipment"),
    ("O", "Other", "Other"),
)
CSI_CODES = (
    ("01-100", "General Requirements"),
    ("01-500", "Temporary Facilities"),
    ("02-200", "Site Demolition"),
    ("02-400", "Selective Demolition"),
    ("03-100", "Concrete Forming"),
    ("03-200", "Concrete Reinforcing"),
    ("03-300", "Cast-in-Place Concrete"),
    ("04-200", "Unit Masonry"),
    ("05-100", "Structural Steel"),
    ("05-500", "Metal Fabrications"),
    ("06-100", "Rough Carpentry"),
    ("06-200", "Finish Carpentry"),
    ("07-200", "Thermal Insulation"),
    ("07-500", "Membrane Roofing"),
    ("07-900", "Joint Sealants"),
    ("08-100", "Doors and Frames"),
    ("08-500", "Windows"),
    ("08-800", "Glazing"),
    ("09-200", "Gypsum Board"),
    ("09-300", "Tiling"),
    ("09-600", "Flooring"),
    ("09-900", "Painting and Coating"),
    ("10-100", "Specialties"),
    ("21-100", "Fire Suppression"),
    ("22-100", "Plumbing"),
    ("23-100", "HVAC"),
    ("26-100", "Electrical"),
    ("27-100", "Communications"),
    ("28-100", "Electronic Safety and Security"),
    ("31-200", "Earth Moving"),
    ("32-100", "Paving"),
    ("32-900", "Landscaping"),
    ("33-100", "Water Utilities"),
)
LONG_COST_CODE = ("31-23-16.13-TRENCH-EXCAVATION-DEEP", "Deep Trench Excavation for Utilities")
SPECIAL_VENDORS = (
    "Acme Concrete LLC",
    "ACME Concrete, LLC",
    "Łukasz Électricité SARL",
    "Müller Drywall GmbH",
    "José Peña Roofing",
)
TRADES = (
    "Concrete",
    "Steel",
    "Electric",
    "Plumbing",
    "Mechanical",
    "Drywall",
    "Roofing",
    "Glass",
    "Paving",
    "Masonry",
    "Painting",
    "Flooring",
    "Excavating",
    "Landscaping",
    "Fire Protection",
    "Insulation",
    "Millwork",
    "Supply",
    "Rentals",
    "Door & Hardware",
)
NAME_WORDS = (
    "Apex",
    "Summit",
    "Keystone",
    "Pioneer",
    "Redwood",
    "Granite",
    "Harbor",
    "Liberty",
    "Cascade",
    "Frontier",
    "Ironwood",
    "Lakeside",
    "Meridian",
    "Northstar",
    "Patriot",
    "Ridgeline",
    "Sterling",
    "Tri-County",
    "Valley",
    "Westgate",
    "Blue Ridge",
    "Copper State",
    "Evergreen",
    "Hillcrest",
    "Bayside",
    "Prairie",
    "Canyon",
    "Silver Creek",
    "Oakmont",
    "Pinnacle",
    "Garcia",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Johnson",
    "Patel",
    "Schmidt",
    "Rossi",
    "Anderson",
    "Okafor",
)
SUFFIXES = ("LLC", "Inc.", "Co.", "Corp.", "& Sons", "Group", "Contractors", "Services")
CITIES = (
    ("Denver", "CO", "802"),
    ("Boulder", "CO", "803"),
    ("Phoenix", "AZ", "850"),
    ("Austin", "TX", "787"),
    ("Salt Lake City", "UT", "841"),
    ("Albuquerque", "NM", "871"),
    ("Colorado Springs", "CO", "809"),
)
PROJECT_KINDS = (
    "Elementary School",
    "Medical Office Building",
    "Distribution Center",
    "Fire Station",
    "Library Renovation",
    "Parking Structure",
    "Senior Living",
    "Tenant Improvement",
    "Hotel",
    "Community Center",
    "Water Treatment Plant",
    "Retail Center",
    "Apartments",
    "Clinic Expansion",
)
STREETS = ("Main", "Industrial", "Market", "Colfax")
AVENUES = ("Oak", "Pine", "Elm", "Cedar")
OWNERS = (
    "Riverside Unified School District",
    "Front Range Health Partners",
    "Mile High Logistics LLC",
    "City of Aurora",
    "Peak Hospitality Group",
    "Canyon Ridge Development",
    "Northern Lights Properties",
)


class _Ids:
    """Sequential ids above 2^32 per collection, like the store hands out."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, collection: str) -> int:
        self._next[collection] = self._next.get(collection, FIRST_ID) + 1
        return self._next[collection]


def _stamp(day: date, rng: random.Random) -> str:
    moment = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(9 * 3600)
    )
    return iso(moment)


def _day(offset: int) -> date:
    return min(EPOCH.date() + timedelta(days=offset), LAST_DAY)


def _money(low: int, high: int, rng: random.Random) -> Decimal:
    return to_money(Decimal(rng.randrange(low * 100, high * 100)) / 100)


class _Generator:
    def __init__(self, rng: random.Random, scale: float) -> None:
        self.rng = rng
        self.scale = scale
        self.ids = _Ids()
        self.out: dict[str, list[dict[str, Any]]] = {}

    def add(self, collection: str, record: dict[str, Any]) -> dict[str, Any]:
        self.out.setdefault(collection, []).append(record)
        return record

    def count(self, base: int, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def timestamps(self, created: date, updated: date | None = None) -> dict[str, str]:
        updated = max(created, updated or created + timedelta(days=self.rng.randrange(0, 60)))
        return {
            "created_at": _stamp(created, self.rng),
            "updated_at": _stamp(min(updated, LAST_DAY), self.rng),
        }

    # --- directory --------------------------------------------------------------------------------------

    def company(self) -> None:
        self.add("companies", {"id": COMPANY_ID, "name": "Summit Ridge Builders, Inc.", "is_active": True})

    def clients(self) -> None:
        def secret() -> str:
            return f"{self.rng.getrandbits(256):064x}"

        for client_id, name in (
            ("pxsync-demo-client", "Procore Xero Sync (demo)"),
            ("legacy-erp-connector", "Legacy ERP connector"),
        ):
            self.add(
                "clients",
                {
                    "client_id": client_id,
                    "client_secret": secret(),
                    "name": name,
                    "company_ids": [COMPANY_ID],
                    "refresh_token": secret(),
                },
            )

    def stages(self) -> None:
        self.stage_refs = {}
        for name, category in STAGES:
            stage = self.add(
                "project_stages",
                {
                    "id": self.ids("project_stages"),
                    "name": name,
                    "category": category,
                    "is_bidding_stage": False,
                },
            )
            self.stage_refs[name] = {"id": stage["id"], "name": name}

    def cost_types(self) -> None:
        self.types = {}
        for code, name, base in COST_TYPES:
            record = {
                "id": self.ids("line_item_types"),
                "name": name,
                "code": code,
                "base_type": base.lower(),  # published: lower case
                "origin_id": None,
                "origin_data": None,
            }
            self.timestamps(_day(0), _day(0))  # drawn, not kept (no timestamps published): same demo after
            self.types[code] = self.add("line_item_types", record)

    def vendor(self, name: str, active: bool = True) -> dict[str, Any]:
        city, state, zip3 = self.rng.choice(CITIES)
        slug = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:18] or "vendor"
        area = {"CO": 303, "AZ": 602, "TX": 512, "UT": 801, "NM": 505}[state]
        return self.add(
            "vendors",
            {
                "id": self.ids("vendors"),
                "name": name,
                "abbreviated_name": name.split()[0],
                "address": f"{self.rng.randrange(100, 9999)} {self.rng.choice(STREETS)} St",
                "city": city,
                "state_code": state,
                "zip": f"{zip3}{self.rng.randrange(10, 99)}",
                "country_code": "US",
                "business_phone": f"({area}) 555-{self.rng.randrange(1000, 9999)}",
                "fax_number": f"({area}) 555-{self.rng.randrange(1000, 9999)}"
                if self.rng.random() < 0.3
                else None,
                "email_address": f"ap@{slug}.example.com",
                "is_active": active,
                "origin_id": None,
                "origin_data": None,
                "origin_code": None,
                **self.timestamps(_day(self.rng.randrange(0, 120))),
            },
        )

    def vendors(self) -> None:
        total = self.count(300, minimum=len(SPECIAL_VENDORS) + len(OWNERS) + 10)
        self.owners = [self.vendor(name) for name in OWNERS]
        specials = [self.vendor(name) for name in SPECIAL_VENDORS]
        names = {v["name"] for v in self.out["vendors"]}
        while len(self.out["vendors"]) < total:
            name = f"{self.rng.choice(NAME_WORDS)} {self.rng.choice(TRADES)} {self.rng.choice(SUFFIXES)}"
            if name not in names:
                names.add(name)
                self.vendor(name, active=self.rng.random() > 0.05)
        self.subs = specials + [
            v for v in self.out["vendors"][len(OWNERS) + len(SPECIAL_VENDORS) :] if v["is_active"]
        ]
        owned = self.subs[-2:]  # two vendors another integration already syncs (read-only for our app)
        for vendor in owned:
            vendor["origin_id"] = f"ERP-V-{vendor['id'] % 100000}"
            self.add(
                "origin_owners",
                {"resource": "vendors", "id": vendor["id"], "client_id": "legacy-erp-connector"},
            )

    # --- projects -------------------------------------------------------------------------------------------

    def projects(self) -> None:
        total = self.count(25, minimum=4)
        self.project_list = []
        self.currencies: dict[int, dict[str, str]] = {}
        for index in range(total):
            city, state, zip3 = self.rng.choice(CITIES)
            start = _day(self.rng.randrange(0, 200))
            stage = (
                SEND_TO_XERO
                if index % 5 != 4
                else self.rng.choice(("Pre-Construction", "Course of Construction", "Closeout"))
            )
            cad = index == 2
            project = self.add(
                "projects",
                {
                    "id": self.ids("projects"),
                    "name": f"{'Vancouver' if cad else city} {self.rng.choice(PROJECT_KINDS)}",
                    "project_number": None if index == 3 else f"{25 + index // 20}-{index % 20 + 101:03d}",
                    "address": f"{self.rng.randrange(100, 9999)} {self.rng.choice(AVENUES)} Ave",
                    "city": "Vancouver" if cad else city,
                    "state_code": "BC" if cad else state,
                    "zip": "V6B 1A1" if cad else f"{zip3}{self.rng.randrange(10, 99)}",
                    "country_code": "CA" if cad else "US",
                    "active": stage != "Closeout",
                    "project_stage": self.stage_refs[stage],
                    "company": {"id": COMPANY_ID, "name": "Summit Ridge Builders, Inc."},
                    "start_date": start.isoformat(),
                    "completion_date": _day((start - EPOCH.date()).days + 540).isoformat(),
                    "origin_id": None,
                    "origin_data": None,
                    **self.timestamps(start),
                },
            )
            project["display_name"] = f"{project['project_number'] or ''} {project['name']}".strip()
            # Procore publishes no project currency: the project's documents carry it.
            self.currencies[project["id"]] = {"currency_iso_code": "CAD" if cad else "USD"}
            self.project_list.append(project)

    def cost_codes(self, project: dict[str, Any], with_long_code: bool) -> list[dict[str, Any]]:
        chosen = sorted([*self.rng.sample(CSI_CODES, 14), ("01-100", "General Requirements")])
        chosen = list(dict.fromkeys(chosen)) + ([LONG_COST_CODE] if with_long_code else [])
        return [
            self.add(
                "cost_codes",
                {
                    "id": self.ids("cost_codes"),
                    "biller_id": project["id"],  # a project's cost code: its biller is the project
                    "biller_type": "Project",
                    "biller": project["name"],
                    "code": code,
                    "full_code": code,
                    "name": name,
                    "parent": None,
                    "origin_id": None,
                    "origin_data": None,
                    **self.timestamps(_day(0), _day(1)),
                },
            )
            for code, name in chosen
        ]

    # --- commitments, invoices, payments ----------------------------------------------------------------

    def line(
        self,
        collection: str,
        parent_id: int,
        project: dict,
        position: int,
        code: dict,
        kind: str,
        amount: Decimal,
        description: str,
        holder_type: str | None = None,
    ) -> dict[str, Any]:
        """A priced line; a commitment's (``holder_type`` its collection) points to it as its holder."""
        quantity = Decimal("1.00")
        unit_cost = amount
        if kind in ("M", "E") and self.rng.random() < 0.7:
            quantity = Decimal(self.rng.randrange(2, 400))
            unit_cost = (amount / quantity).quantize(CENT)
            amount = quantity * unit_cost
        owner: dict[str, Any] = (
            {
                "holder": {"id": parent_id, "holder_type": HOLDER_TYPES[holder_type]},
                "project": {"id": project["id"], "name": project["name"]},
            }
            if holder_type
            else {"contract_id": parent_id, "project_id": project["id"]}
        )
        return self.add(
            collection,
            {
                "id": self.ids(collection),
                **owner,
                "position": position,
                "description": description,
                "quantity": quantity.quantize(CENT),
                "unit_cost": unit_cost,
                "uom": "ls" if quantity == 1 else "ea",
                "amount": to_money(amount),
                "cost_code": {"id": code["id"], "full_code": code["full_code"], "name": code["name"]},
                "line_item_type": {
                    "id": self.types[kind]["id"],
                    "name": self.types[kind]["name"],
                    "code": kind,
                },
                **self.timestamps(_day(0), _day(0)),
            },
        )

    def commitment(self, project: dict, codes: list[dict], number: int, subcontract: bool) -> dict[str, Any]:
        collection = "work_order_contracts" if subcontract else "purchase_order_contracts"
        vendor = self.rng.choice(self.subs)
        roll = self.rng.random()
        # Purchase orders have no Void status in Procore: a PO that will never be approved stays Processing.
        never = "Void" if subcontract else "Processing"
        status = "Approved" if roll < 0.86 else ("Draft" if roll < 0.93 else never)
        created = _day(
            (date.fromisoformat(project["start_date"]) - EPOCH.date()).days + self.rng.randrange(0, 90)
        )
        retainage = Decimal(self.rng.choice((5, 10, 10) if subcontract else (0, 5)))
        shipping = (  # a purchase order field: work orders have none
            {}
            if subcontract
            else {"ship_via": self.rng.choice(("Supplier truck", "Common carrier", "Will call"))}
        )
        record = self.add(
            collection,
            {
                "id": self.ids("commitments"),
                "number": f"{'SC' if subcontract else 'PO'}-{number:03d}",
                "title": f"{vendor['name']} - {'Subcontract' if subcontract else 'Materials'}",
                "status": status,
                "executed": status == "Approved",
                "project": {"id": project["id"], "name": project["name"]},
                "vendor": {"id": vendor["id"], "company": vendor["name"]},
                "contract_date": created.isoformat(),
                "description": None,
                "retainage_percent": retainage,
                **shipping,
                "origin_id": None,
                "origin_data": None,
                "origin_code": None,
                "currency_configuration": dict(self.currencies[project["id"]]),
                **self.timestamps(created),
            },
        )
        kinds = ("S", "L") if subcontract else ("M", "E")
        lines = []
        for position in range(1, self.rng.randrange(2, 7)):
            code = self.rng.choice(codes)
            kind = kinds[0] if self.rng.random() < 0.8 else kinds[1]
            amount = _money(2_000, 180_000, self.rng)
            lines.append(
                self.line(
                    "commitment_line_items",
                    record["id"],
                    project,
                    position,
                    code,
                    kind,
                    amount,
                    f"{code['name']} - {self.types[kind]['name'].lower()}",
                    collection,
                )
            )
        record["grand_total"] = sum((li["amount"] for li in lines), ZERO)
        record["_lines"] = lines
        return record

    def change_orders(self, project: dict, commitment: dict, codes: list[dict]) -> None:
        """Procore publishes no change order lines: each order's one line is kept apart (the emulator's
        budget counts it), the order itself carries its ``grand_total``."""
        for number in range(1, self.rng.choice((0, 0, 1, 1, 2)) + 1):
            line_source = self.rng.choice(commitment["_lines"])
            amount = _money(500, 25_000, self.rng)
            status = "approved" if self.rng.random() < 0.7 else "pending"
            order = self.add(
                "commitment_change_orders",
                {
                    "id": self.ids("commitment_change_orders"),
                    "number": f"{commitment['number']}-CO{number:02d}",
                    "title": f"Change order {number} on {commitment['number']}",
                    "description": f"Change: {line_source['description']}",
                    "type": "CommitmentChangeOrder",
                    "revision": 0,
                    "status": status,
                    "executed": status == "approved",
                    "contract_id": commitment["id"],
                    "grand_total": amount,
                    **self.timestamps(date.fromisoformat(commitment["contract_date"]) + timedelta(days=45)),
                },
            )
            self.add(
                "change_order_line_items",
                {
                    "id": self.ids("change_order_line_items"),
                    "change_order_id": order["id"],
                    "description": order["description"],
                    "amount": amount,
                    "cost_code_id": line_source["cost_code"]["id"],
                    "line_item_type_id": line_source["line_item_type"]["id"],
                },
            )

    def invoices(self, commitment: dict, count: int, negative: bool) -> None:
        """A chain of monthly invoices on one commitment; the last may release the retainage held.

        Some purchase orders (``stores_materials``) bill materials stored on site with their first
        invoice, installed (stored balance back to zero) with the next: retainage on stored materials is
        then held and released through the materials fields, not the work ones.
        """
        lines = commitment["_lines"]
        previous: dict[str, Any] | None = None
        start = date.fromisoformat(commitment["contract_date"])
        fractions = sorted(self.rng.uniform(0.1, 1.0) for _ in range(count))
        releases = count >= 3 and self.rng.random() < 0.35
        credit_at = self.rng.randrange(2, count + 1) if negative and count >= 2 else None
        stores_materials = commitment["number"].startswith("PO") and count >= 2 and commitment["id"] % 4 == 0
        vendor = self.vendors_by_id[commitment["vendor"]["id"]]
        vendor_code = vendor["name"][:3].upper()
        percent = commitment["retainage_percent"]
        for number in range(1, count + 1):
            prior = positions_after(previous["items"]) if previous else {}
            entries = {}
            for li in lines:
                done = prior[li["id"]].work_completed if prior else ZERO
                target = to_money(li["amount"] * Decimal(str(round(fractions[number - 1], 4))))
                if releases and number == count:
                    target = li["amount"]
                entries[li["id"]] = Billed(li["id"], max(ZERO, target - done))
            if stores_materials:
                entries[lines[0]["id"]] = self.materials(lines[0], entries[lines[0]["id"]], prior, number)
            if credit_at == number:
                li = lines[0]
                done = prior[li["id"]].work_completed
                entries = {li["id"]: Billed(li["id"], -to_money(done * Decimal("0.1")) or Decimal("-1.00"))}
            if releases and number == count:
                entries = {
                    k: replace(
                        e,
                        work_completed_retainage_released_this_period=prior[k].work_retainage
                        + retainage_on(e.work_completed_this_period or ZERO, percent),
                    )
                    for k, e in entries.items()
                }
            items = bill_items(lines, prior, entries, percent)
            for item in items:
                item["id"] = self.ids("requisition_items")
            period_end = min(start + timedelta(days=30 * number), LAST_DAY)
            period_start = (period_end - timedelta(days=29)).isoformat()
            status = "approved" if number < count or self.rng.random() < 0.85 else "under_review"
            previous = self.add(
                "requisitions",
                {
                    "id": self.ids("requisitions"),
                    "project_id": commitment["project"]["id"],
                    "commitment_id": commitment["id"],
                    "previous_requisition_id": previous["id"] if previous else None,
                    "number": number,
                    "invoice_number": f"{vendor_code}-{commitment['id'] % 100000}-{number:02d}",
                    "vendor_id": vendor["id"],
                    "vendor_name": vendor["name"],
                    "status": status,
                    "billing_date": period_end.isoformat(),
                    "requisition_start": period_start,
                    "requisition_end": period_end.isoformat(),
                    "payment_date": min(period_end + timedelta(days=30), LAST_DAY).isoformat(),
                    "submitted_at": None,
                    "period_id": None,
                    "final": releases and number == count,
                    "comment": None,
                    "currency_configuration": {
                        "currency_iso_code": commitment["currency_configuration"]["currency_iso_code"]
                    },
                    "origin_id": None,
                    "origin_data": None,
                    "items": items,
                    "summary": summarise(
                        items,
                        percent,
                        change_orders(self.orders.get(commitment["id"], []), commitment["id"], previous),
                        (period_start, period_end.isoformat()),
                    ),
                    **self.timestamps(period_end, period_end + timedelta(days=3)),
                },
            )

    @staticmethod
    def materials(line: dict, entry: Billed, prior: dict[int, Position], number: int) -> Billed:
        """Invoice 1 also bills 5 % of the line as materials stored; the next ones bill them installed."""
        work = entry.work_completed_this_period or ZERO
        if number == 1:
            stored = min(to_money(line["amount"] * Decimal("0.05")), line["amount"] - work)
            return replace(entry, materials_presently_stored=stored)
        before = prior[line["id"]]
        installed = min(work + before.materials_stored, line["amount"] - before.work_completed)
        return replace(entry, work_completed_this_period=installed, materials_presently_stored=ZERO)

    def payments(self) -> None:
        numbers: dict[int, int] = {}
        for invoice in self.out.get("requisitions", []):
            due = invoice["summary"]["current_payment_due"]
            if (
                invoice["status"] == "approved"
                and due > 0
                and invoice["payment_date"] < "2026-09-01"
                and self.rng.random() < 0.6
            ):
                contract_id = invoice["commitment_id"]
                numbers[contract_id] = numbers.get(contract_id, 0) + 1
                self.add(
                    "contract_payments",
                    {
                        "id": self.ids("contract_payments"),
                        "contract_id": contract_id,
                        "project_id": invoice["project_id"],
                        "requisition_id": invoice["id"],
                        "amount": due,
                        "date": invoice["payment_date"],
                        "invoice_number": invoice["invoice_number"],
                        "check_number": str(self.rng.randrange(10000, 99999)),
                        "payment_number": numbers[contract_id],
                        "status": PAYMENT_STATUS,
                        "notes": None,
                        "origin_id": None,
                        "origin_data": None,
                        "created_at": self.timestamps(date.fromisoformat(invoice["payment_date"]))[
                            "created_at"
                        ],
                    },
                )

    # --- budget, owner side, direct costs -------------------------------------------------------------------

    def budget(self, project: dict, codes: list[dict], commitments: list[dict]) -> None:
        committed: dict[tuple[int, str], Decimal] = {}
        for commitment in commitments:
            for li in commitment["_lines"]:
                key = (li["cost_code"]["id"], li["line_item_type"]["code"])
                committed[key] = committed.get(key, ZERO) + li["amount"]
        for code in codes:
            for kind in ("L", "M", "S") if code["full_code"] == "01-100" else ("S",):
                committed.setdefault((code["id"], kind), ZERO)
        by_id = {c["id"]: c for c in codes}
        for (code_id, kind), amount in sorted(committed.items()):
            original = to_money(amount * Decimal(str(round(self.rng.uniform(1.05, 1.25), 2)))) or _money(
                5_000, 60_000, self.rng
            )
            modifications = _money(0, 8_000, self.rng) if self.rng.random() < 0.2 else ZERO
            code = by_id[code_id]
            self.timestamps(date.fromisoformat(project["start_date"]))  # budget lines publish no timestamps
            self.add(
                "budget_line_items",
                {
                    "id": self.ids("budget_line_items"),
                    "cost_code": {
                        "id": code["id"],
                        "name": code["name"],
                        "code": code["code"],
                        "full_code": code["full_code"],
                    },
                    "line_item_type": {"id": self.types[kind]["id"], "name": self.types[kind]["name"]},
                    "original_budget_amount": original,
                    "approved_budget_changes": modifications,
                    "pending_budget_changes": ZERO,
                    "calculation_strategy": "manual",
                    "uom": None,
                    "quantity": None,
                    "unit_cost": None,
                    "currency_configuration": dict(self.currencies[project["id"]]),
                },
            )
        view_id = self.ids("budget_views")
        rows = f"/rest/v1.0/budget_views/{view_id}/%s?project_id={project['id']}"
        self.add(
            "budget_views",
            {
                "id": view_id,
                "name": "Procore Standard Budget",
                "description": "Original, revised, committed, direct and job-to-date costs",
                "role": "budget",
                "created_by": {"id": 1, "name": "Procore", "login": "support@procore.com"},
                "links": {"detail_rows": rows % "detail_rows", "summary_rows": rows % "summary_rows"},
                **self.timestamps(_day(0), _day(0)),
            },
        )

    def prime_contract(self, project: dict, codes: list[dict], owner: dict) -> None:
        start = date.fromisoformat(project["start_date"])
        contract = self.add(
            "prime_contracts",
            {
                "id": self.ids("prime_contracts"),
                "number": "1",
                "title": f"{project['name']} - Owner Contract",
                "status": "Approved",
                "project_id": project["id"],
                "vendor": full_vendor(owner),
                "contractor": full_vendor(owner),
                "executed": True,
                "private": False,
                "accounting_method": "amount",
                "retainage_percent": Decimal("5"),
                "description": None,
                "origin_id": None,
                "origin_data": None,
                "currency_configuration": dict(self.currencies[project["id"]]),
                **self.timestamps(start),
            },
        )
        lines = [
            self.line(
                "prime_contract_line_items",
                contract["id"],
                project,
                position,
                code,
                "S",
                _money(80_000, 900_000, self.rng),
                code["name"],
            )
            for position, code in enumerate(self.rng.sample(codes, 5), start=1)
        ]
        contract["grand_total"] = sum((li["amount"] for li in lines), ZERO)
        previous: dict[str, Any] | None = None
        for number in range(1, self.rng.randrange(2, 7)):
            prior = g703_positions(previous["g703"]) if previous else {}
            entries = {li["id"]: Billed(li["id"], to_money(li["amount"] * Decimal("0.12"))) for li in lines}
            items = bill_items(lines, prior, entries, contract["retainage_percent"])
            period_end = min(start + timedelta(days=30 * number), LAST_DAY)
            period_start = (period_end - timedelta(days=29)).isoformat()
            g703 = g703_items(items, lines, lambda: self.ids("payment_application_items"))
            previous = self.add(
                "payment_applications",
                {
                    "id": self.ids("payment_applications"),
                    "prime_contract_id": contract["id"],
                    "project_id": project["id"],
                    "contract": contract_ref(contract),
                    "number": number,
                    "invoice_number": f"{project['project_number'] or 'PA'}-{number:02d}",
                    "status": "approved",
                    "billing_date": period_end.isoformat(),
                    "period_start": period_start,
                    "period_end": period_end.isoformat(),
                    "billing_period": {"start_date": period_start, "end_date": period_end.isoformat()},
                    "currency_configuration": dict(self.currencies[project["id"]]),
                    "origin_id": None,
                    "origin_data": None,
                    "g703": g703,
                    "g702": g702_summary(
                        g703, contract["retainage_percent"], period_start, period_end.isoformat()
                    ),
                    **self.timestamps(period_end),
                },
            )

    def direct_costs(self) -> None:
        projects = [p for p in self.project_list if p["project_stage"]["name"] == SEND_TO_XERO][:4]
        kinds = ("invoice", "expense", "payroll")
        for n in range(self.count(8, minimum=4)):
            project = projects[n % len(projects)]
            codes = self.project_codes[project["id"]]
            code = self.rng.choice(codes)
            kind = kinds[n % 3]
            amount = _money(150, 9_000, self.rng)
            day = date.fromisoformat(project["start_date"]) + timedelta(days=20 + n)
            vendor = self.rng.choice(self.subs[:-2]) if kind != "payroll" else None
            cost_type = {"invoice": "M", "expense": "O", "payroll": "L"}[kind]
            record = self.add(
                "direct_costs",
                {
                    "id": self.ids("direct_costs"),
                    "project_id": project["id"],
                    "project": {"id": project["id"], "name": project["name"]},
                    "currency_configuration": dict(self.currencies[project["id"]]),
                    "direct_cost_type": kind,
                    "status": "approved",
                    "vendor": {"id": vendor["id"], "name": vendor["name"]} if vendor else None,
                    "invoice_number": f"DC-{n + 1:04d}" if kind == "invoice" else None,
                    "description": f"{kind.title()} - {code['name']}",
                    "direct_cost_date": day.isoformat(),
                    "received_date": day.isoformat(),
                    "payment_date": None,
                    "terms": None,
                    "grand_total": amount,
                    "line_items": [
                        {
                            "id": self.ids("direct_cost_line_items"),
                            "description": code["name"],
                            "quantity": Decimal("1.00"),
                            "unit_cost": amount,
                            "uom": "ls",
                            "amount": amount,
                            "cost_code": {
                                "id": code["id"],
                                "full_code": code["full_code"],
                                "name": code["name"],
                            },
                            "line_item_type": {
                                "id": self.types[cost_type]["id"],
                                "name": self.types[cost_type]["name"],
                                "code": cost_type,
                            },
                            "position": 1,
                            "origin_id": None,
                            "origin_data": None,
                            **self.timestamps(day),
                        }
                    ],
                    "origin_id": None,
                    "origin_data": None,
                    **self.timestamps(day),
                },
            )
            if n < 2:  # already exported by another integration: read-only for our app
                record["origin_id"] = f"ERP-DC-{n + 1:04d}"
                self.add(
                    "origin_owners",
                    {"resource": "direct_costs", "id": record["id"], "client_id": "legacy-erp-connector"},
                )

    # --- the whole company ----------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        self.company()
        self.clients()
        self.stages()
        self.cost_types()
        self.vendors()
        self.projects()
        self.project_codes: dict[int, list[dict[str, Any]]] = {}
        commitments_by_project: dict[int, list[dict[str, Any]]] = {}
        weights = [self.rng.uniform(0.5, 1.5) for _ in self.project_list]
        total_commitments = self.count(400, minimum=len(self.project_list) * 2)
        for index, project in enumerate(self.project_list):
            codes = self.cost_codes(project, with_long_code=index == 0)
            self.project_codes[project["id"]] = codes
            share = max(2, round(total_commitments * weights[index] / sum(weights)))
            commitments = [
                self.commitment(project, codes, n + 1, subcontract=self.rng.random() < 0.6)
                for n in range(share)
            ]
            for commitment in commitments:
                if commitment["status"] == "Approved":
                    self.change_orders(project, commitment, codes)
            commitments_by_project[project["id"]] = commitments
            self.budget(project, codes, [c for c in commitments if c["status"] == "Approved"])
            self.prime_contract(project, codes, self.owners[index % len(self.owners)])
        self.billing([c for cs in commitments_by_project.values() for c in cs if c["status"] == "Approved"])
        self.payments()
        self.direct_costs()
        for collection in ("work_order_contracts", "purchase_order_contracts"):
            for record in self.out.get(collection, []):
                del record["_lines"]
        return plain(self.out)

    def billing(self, approved: list[dict[str, Any]]) -> None:
        self.vendors_by_id = {v["id"]: v for v in self.out["vendors"]}
        self.orders: dict[int, list[dict[str, Any]]] = {}
        for order in self.out.get("commitment_change_orders", []):
            self.orders.setdefault(order["contract_id"], []).append(order)
        target = self.count(2000, minimum=len(approved))
        counts = [1] * len(approved)
        for _ in range(target - len(approved)):
            counts[
                self.rng.choice(
                    [i for i in self.rng.sample(range(len(approved)), 8) if counts[i] < 12] or [0]
                )
            ] += 1
        negative = set(self.rng.sample([i for i, c in enumerate(counts) if c >= 2], 3))
        for index, commitment in enumerate(approved):
            self.invoices(commitment, counts[index], index in negative)


def generate_procore(rng: random.Random, scale: float) -> dict[str, Any]:
    """The demo company's Procore records, keyed by collection (the seed's ``procore`` section)."""
    return _Generator(rng, scale).build()
