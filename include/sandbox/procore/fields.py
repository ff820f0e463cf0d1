"""Reading request attributes into record fields: amounts, dates, choices, references, with reasons."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid
from sandbox.procore.money import to_money


def copy_fields(record: dict[str, Any], attrs: dict[str, Any], names: Iterable[str]) -> None:
    """Take the plain attributes the resource accepts; others are ignored, as Procore ignores them."""
    for name in names:
        if name in attrs:
            value = attrs[name]
            if value is not None and not isinstance(value, str | bool | int):
                raise RecordInvalid.field(name, f"must be a string, got {type(value).__name__}")
            record[name] = value


def money(attrs: dict[str, Any], name: str, default: Decimal | None = None) -> Decimal | None:
    if attrs.get(name) is None:
        return default
    try:
        return to_money(attrs[name])
    except ValueError as exc:
        raise RecordInvalid.field(name, f"is not a number: {attrs[name]!r}") from exc


def iso_date(attrs: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = attrs.get(name, default)
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise RecordInvalid.field(name, f"must be a date as YYYY-MM-DD, got {value!r}") from exc


def choice(value: Any, name: str, allowed: Iterable[str]) -> str:
    options = list(allowed)
    for option in options:
        if isinstance(value, str) and value.lower() == option.lower():
            return option
    raise RecordInvalid.field(name, f"must be one of {', '.join(options)}; got {value!r}")


def required(record: dict[str, Any], *names: str) -> None:
    missing = {n: ["can't be blank"] for n in names if record.get(n) in (None, "")}
    if missing:
        raise RecordInvalid(missing)


def _reference(w: WriteContext, collection: str, value: Any, name: str, label: str) -> dict[str, Any]:
    record = (
        w.store.get(collection, value) if isinstance(value, int) and not isinstance(value, bool) else None
    )
    if (
        record is None
        or record.get("deleted_at")
        or w.store.company_of(collection, record) != w.call.company_id
    ):
        raise RecordInvalid.field(name, f"{label} {value!r} does not exist in company {w.call.company_id}")
    return record


def vendor_ref(w: WriteContext, value: Any, name: str = "vendor_id") -> dict[str, Any]:
    vendor = _reference(w, "vendors", value, name, "vendor")
    return {"id": vendor["id"], "name": vendor["name"]}


def line_item_type_ref(w: WriteContext, value: Any, name: str = "line_item_type_id") -> dict[str, Any]:
    kind = _reference(w, "line_item_types", value, name, "line item type (cost type)")
    return {"id": kind["id"], "name": kind["name"], "code": kind["code"]}


def stage_ref(w: WriteContext, value: Any, name: str = "project_stage_id") -> dict[str, Any]:
    stage = _reference(w, "project_stages", value, name, "project stage")
    return {"id": stage["id"], "name": stage["name"]}


def cost_code_ref(w: WriteContext, value: Any, name: str = "cost_code_id") -> dict[str, Any]:
    code = _reference(w, "cost_codes", value, name, "cost code")
    if code.get("biller_id") != w.project_id:
        raise RecordInvalid.field(
            name, f"cost code {value} belongs to project {code.get('biller_id')}, not {w.project_id}"
        )
    return {"id": code["id"], "full_code": code["full_code"], "name": code["name"]}


def priced_line(w: WriteContext, attrs: dict[str, Any], line_id: int) -> dict[str, Any]:
    """A schedule-of-values / cost line: cost code, cost type, quantity × unit cost = amount."""
    if not isinstance(attrs, dict):
        raise RecordInvalid.field("line_items", "each line item must be an object")
    quantity = money(attrs, "quantity")
    unit_cost = money(attrs, "unit_cost")
    amount = money(attrs, "amount")
    if amount is None:
        if quantity is None or unit_cost is None:
            raise RecordInvalid.field("amount", "give an amount, or a quantity and a unit_cost")
        amount = money({"amount": quantity * unit_cost}, "amount")
    elif quantity is None and unit_cost is None:
        quantity, unit_cost = Decimal("1.00"), amount
    return {
        "id": line_id,
        "description": attrs.get("description") or "",
        "quantity": quantity,
        "unit_cost": unit_cost,
        "uom": attrs.get("uom") or ("ls" if quantity == 1 else "ea"),
        "amount": amount,
        "cost_code": cost_code_ref(w, attrs.get("cost_code_id")),
        "line_item_type": line_item_type_ref(w, attrs.get("line_item_type_id")),
    }
