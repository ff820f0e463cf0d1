"""What leaves the emulator for payments issued, direct costs, prime contracts and payment applications.

Records are stored with the keys the emulator scopes by (``project_id``, ``prime_contract_id``) and with
the fields every view of them is built from; each view below is the published response model of one
operation, field for field (``../shared/reference/procore/models.json``), so a storage key never leaks and
a list never carries what only the show publishes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

View = Callable[[dict[str, Any]], dict[str, Any]]

PAYMENT_FIELDS = (
    "id",
    "amount",
    "check_number",
    "contract_id",
    "created_at",
    "date",
    "draw_request_number",
    "invoice_number",
    "notes",
    "payment_number",
    "project_id",
    "requisition_id",
    "origin_id",
    "origin_code",
    "origin_data",
    "status",
)
_DIRECT_COST_COMMON = (
    "id",
    "created_at",
    "deleted_at",
    "description",
    "direct_cost_type",
    "direct_cost_date",
    "grand_total",
    "invoice_number",
    "origin_data",
    "origin_id",
    "payment_date",
    "received_date",
    "status",
    "terms",
    "updated_at",
    "vendor_id",
    "vendor_name",
    "currency_configuration",
)
DIRECT_COST_LINE_FIELDS = (
    "id",
    "amount",
    "cost_code",
    "created_at",
    "description",
    "line_item_type",
    "origin_data",
    "origin_id",
    "position",
    "quantity",
    "unit_cost",
    "uom",
    "updated_at",
)
PRIME_CONTRACT_LIST_FIELDS = (
    "id",
    "accounting_method",
    "approved_change_orders",
    "contract_date",
    "created_at",
    "deleted_at",
    "description",
    "executed",
    "grand_total",
    "number",
    "origin_code",
    "origin_data",
    "origin_id",
    "private",
    "retainage_percent",
    "status",
    "title",
    "updated_at",
    "contractor",
    "vendor",
    "currency_configuration",
)
PRIME_CONTRACT_SHOW_FIELDS = (
    *(f for f in PRIME_CONTRACT_LIST_FIELDS if f != "origin_code"),
    "revised_contract_amount",
    "owner_invoices_amount",
    "total_payments",
)
PAYMENT_APPLICATION_LIST_FIELDS = (
    "id",
    "billing_date",
    "invoice_number",
    "origin_data",
    "origin_id",
    "period_start",
    "period_end",
    "status",
    "number",
    "currency_configuration",
    "g702",
    "billing_period",
    "contract",
    "created_at",
    "updated_at",
)
PAYMENT_APPLICATION_SHOW_FIELDS = (
    *(f for f in PAYMENT_APPLICATION_LIST_FIELDS if f not in ("created_at", "updated_at")),
    "g703",
)


def _pick(record: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {name: record[name] for name in fields if name in record}


def payment_view(record: dict[str, Any]) -> dict[str, Any]:
    return _pick(record, PAYMENT_FIELDS)


def _vendor_flat(record: dict[str, Any]) -> dict[str, Any]:
    vendor = record.get("vendor") or {}
    return {**record, "vendor_id": vendor.get("id"), "vendor_name": vendor.get("name")}


def direct_cost_list_view(record: dict[str, Any]) -> dict[str, Any]:
    """The list: ``vendor`` is the vendor's name, beside ``vendor_id`` / ``vendor_name``; no lines."""
    flat = _vendor_flat(record)
    return {
        **_pick(flat, _DIRECT_COST_COMMON),
        "amount": record["grand_total"],
        "vendor": flat["vendor_name"],
    }


def direct_cost_show_v10(record: dict[str, Any]) -> dict[str, Any]:
    """v1.0 show, create, update and sync answers: ``vendor {id, name}``, a line count, no lines."""
    return {
        **_pick(_vendor_flat(record), _DIRECT_COST_COMMON),
        "vendor": _vendor_ref(record),
        "line_items_count": len(record["line_items"]),
    }


def direct_cost_show_v11(record: dict[str, Any]) -> dict[str, Any]:
    """v1.1 show, create and update answers: the v1.0 show plus the project and the lines."""
    return {
        **direct_cost_show_v10(record),
        "project": record.get("project"),
        "line_items": [direct_cost_line_view(line) for line in record["line_items"]],
    }


def direct_cost_line_view(line: dict[str, Any]) -> dict[str, Any]:
    return _pick(line, DIRECT_COST_LINE_FIELDS)


def _vendor_ref(record: dict[str, Any]) -> dict[str, Any] | None:
    vendor = record.get("vendor")
    return {"id": vendor["id"], "name": vendor["name"]} if vendor else None


def prime_contract_list_view(record: dict[str, Any]) -> dict[str, Any]:
    return _pick(record, PRIME_CONTRACT_LIST_FIELDS)


def prime_contract_show_view(record: dict[str, Any]) -> dict[str, Any]:
    return _pick(record, PRIME_CONTRACT_SHOW_FIELDS)


def payment_application_list_view(record: dict[str, Any]) -> dict[str, Any]:
    """The list: the G702 summary, no G703 lines (``g703`` is on the show only)."""
    return _pick(_dated(record), PAYMENT_APPLICATION_LIST_FIELDS)


def payment_application_show_view(record: dict[str, Any]) -> dict[str, Any]:
    return _pick(record, PAYMENT_APPLICATION_SHOW_FIELDS)


def _dated(record: dict[str, Any]) -> dict[str, Any]:
    """The pay app list publishes ``created_at`` / ``updated_at`` as dates, not date-times."""
    return {
        **record,
        **{k: str(record[k])[:10] for k in ("created_at", "updated_at") if record.get(k) is not None},
    }


def prime_contract_line_view(line: dict[str, Any]) -> dict[str, Any]:
    """A prime contract line points to its contract as ``holder``; the storage keys stay in."""
    kept = {k: v for k, v in line.items() if k not in ("contract_id", "project_id")}
    return {**kept, "holder": {"id": line["contract_id"], "holder_type": "PrimeContract"}}
