"""Record builders: request attributes (+ the stored record on update) → the record as Procore returns it.

Each builder validates what Procore validates for that resource and raises ``RecordInvalid`` with the field
and the reason. Ids, timestamps and origin_id ownership are handled by the write layer, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox.procore.context import WriteContext
from sandbox.procore.errors import RecordInvalid
from sandbox.procore.fields import (
    choice,
    copy_fields,
    cost_code_ref,
    iso_date,
    line_item_type_ref,
    money,
    priced_line,
    required,
    stage_ref,
    vendor_ref,
)

Builder = Callable[[WriteContext, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
ORIGIN_FIELDS = ("origin_id", "origin_data")
# Published per type: work orders (subcontracts) and purchase orders have different status lists.
COMMITMENT_STATUSES: dict[str, tuple[str, ...]] = {
    "work_order_contracts": (
        "Draft",
        "Out For Bid",
        "Out For Signature",
        "Approved",
        "Complete",
        "Terminated",
        "Void",
    ),
    "purchase_order_contracts": (
        "Draft",
        "Processing",
        "Submitted",
        "Partially Received",
        "Received",
        "Approved",
        "Closed",
    ),
}
# Approved and after: invoiceable, counted as committed, schedule of values and company fixed.
LOCKED_COMMITMENT_STATUSES = ("Approved", "Complete", "Partially Received", "Received", "Closed")
PURCHASE_ORDER_FIELDS = (
    "ship_via",
    "ship_to_address",
    "bill_to_address",
    "payment_terms",
)  # not on work orders
HOLDER_TYPES = {
    "work_order_contracts": "WorkOrderContract",
    "purchase_order_contracts": "PurchaseOrderContract",
}
# The create body's enum (reads publish the same without ``labor``; Procore still returns what was written).
LINE_ITEM_BASE_TYPES = (
    "equipment",
    "materials",
    "commitment",
    "owner_cost",
    "professional_services",
    "other",
    "labor",
)
DIRECT_COST_TYPES = ("invoice", "expense", "payroll")
DIRECT_COST_STATUSES = ("draft", "pending", "revise_and_resubmit", "approved")
ZERO = Decimal("0.00")


def _start(existing: dict[str, Any] | None, defaults: dict[str, Any]) -> dict[str, Any]:
    return dict(existing) if existing else {**defaults, "origin_id": None, "origin_data": None}


def _unique(
    w: WriteContext,
    collection: str,
    record: dict[str, Any],
    field: str,
    project_of: Callable[[dict[str, Any]], Any] | None = None,
) -> None:
    """``field`` unique in the company, or in the project when ``project_of`` says a record's project."""
    value = record.get(field)
    if value in (None, ""):
        return
    rows = (
        w.store.in_company(collection, w.call.company_id)
        if project_of is None
        else (r for r in w.store.rows(collection) if project_of(r) == w.project_id)
    )
    if any(r[field] == value and r["id"] != record.get("id") and not r.get("deleted_at") for r in rows):
        raise RecordInvalid.field(field, f"has already been taken ({value!r})")


def build_project(w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    company = w.store.get("companies", w.call.company_id) or {"name": None}
    record = _start(
        existing,
        {
            "project_number": None,
            "active": True,
            "address": None,
            "city": None,
            "state_code": None,
            "country_code": "US",
            "zip": None,
            "project_stage": None,
            "company": {"id": w.call.company_id, "name": company["name"]},
        },
    )
    copy_fields(
        record,
        attrs,
        (
            "name",
            "display_name",
            "project_number",
            "address",
            "city",
            "state_code",
            "country_code",
            "zip",
            "active",
            "start_date",
            "completion_date",
            *ORIGIN_FIELDS,
        ),
    )
    if "project_stage_id" in attrs:
        record["project_stage"] = stage_ref(w, attrs["project_stage_id"])
    if "total_value" in attrs:
        record["total_value"] = money(attrs, "total_value")
    required(record, "name")
    record.setdefault("display_name", record["name"])
    _unique(w, "projects", record, "project_number")
    return record


def build_vendor(w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    record = _start(
        existing,
        {
            "abbreviated_name": None,
            "address": None,
            "city": None,
            "state_code": None,
            "zip": None,
            "country_code": "US",
            "business_phone": None,
            "fax_number": None,
            "email_address": None,
            "is_active": True,
            "origin_code": None,
        },
    )
    copy_fields(
        record,
        attrs,
        (
            "name",
            "abbreviated_name",
            "address",
            "city",
            "state_code",
            "zip",
            "country_code",
            "business_phone",
            "fax_number",
            "email_address",
            "is_active",
            "trade_name",
            "origin_code",
            *ORIGIN_FIELDS,
        ),
    )
    required(record, "name")
    email = record.get("email_address")
    if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1]):
        raise RecordInvalid.field("email_address", f"is not a valid e-mail address: {email!r}")
    return record


def build_line_item_type(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """Writes take ``csv_import_code``, reads return it as ``code``; ``base_type`` is lower case."""
    record = _start(existing, {"base_type": "other"})
    copy_fields(record, attrs, ("name", *ORIGIN_FIELDS))
    if "csv_import_code" in attrs:
        record["code"] = attrs["csv_import_code"]
    if "base_type" in attrs:
        record["base_type"] = choice(attrs["base_type"], "base_type", LINE_ITEM_BASE_TYPES)
    if record.get("code") in (None, ""):
        raise RecordInvalid.field("csv_import_code", "can't be blank")
    required(record, "name")
    _unique(w, "line_item_types", record, "code")
    return record


def build_project_stage(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    record = dict(existing) if existing else {"is_bidding_stage": False, "category": "course_of_construction"}
    copy_fields(record, attrs, ("name", "is_bidding_stage"))
    if "category" in attrs:
        record["category"] = choice(
            attrs["category"],
            "category",
            (
                "pre_construction",
                "course_of_construction",
                "post_construction",
                "completed",
                "not_awarded",
                "canceled",
            ),
        )
    required(record, "name")
    _unique(w, "project_stages", record, "name")
    return record


def build_cost_code(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """A project's cost code: its project is its biller (``biller_type`` Project), as Procore publishes."""
    project = w.project or {}
    record = _start(
        existing,
        {"biller_id": w.project_id, "biller_type": "Project", "biller": project.get("name"), "parent": None},
    )
    copy_fields(record, attrs, ("name", "code", "full_code", *ORIGIN_FIELDS))
    if record.get("code") and not record.get("full_code"):
        record["full_code"] = record["code"]
    required(record, "name", "code")
    _unique(w, "cost_codes", record, "full_code", project_of=cost_code_project)
    return record


def cost_code_project(record: dict[str, Any]) -> Any:
    """The project a cost code belongs to (its biller, when the biller is a project)."""
    return record.get("biller_id") if record.get("biller_type") == "Project" else None


def project_currency(w: WriteContext) -> dict[str, Any]:
    """A new document's currency: the project's, as its prime contract carries it (Procore publishes no
    currency on projects), else the company's US dollars."""
    for contract in w.store.rows("prime_contracts"):
        if record_project(contract) == w.project_id and contract.get("currency_configuration"):
            return dict(contract["currency_configuration"])
    return {"currency_iso_code": "USD"}


def record_project(record: dict[str, Any]) -> Any:
    """A project-scoped record's project: ``project_id`` or the published ``project {id}`` reference."""
    return record.get("project_id") or (record.get("project") or {}).get("id")


def build_budget_line_item(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """The stored part of a budget line; its cost columns are computed on every answer (``budget``)."""
    record = _start(
        existing,
        {
            "approved_budget_changes": ZERO,
            "pending_budget_changes": ZERO,
            "calculation_strategy": "manual",
            "uom": None,
            "quantity": None,
            "unit_cost": None,
            "currency_configuration": project_currency(w),
        },
    )
    if "cost_code_id" in attrs or not existing:
        record["cost_code"] = cost_code_ref(w, attrs.get("cost_code_id"))
    if "line_item_type_id" in attrs or not existing:
        kind = line_item_type_ref(w, attrs.get("line_item_type_id"))
        record["line_item_type"] = {"id": kind["id"], "name": kind["name"]}
    if "calculation_strategy" in attrs:
        record["calculation_strategy"] = choice(
            attrs["calculation_strategy"], "calculation_strategy", ("automatic", "manual")
        )
    copy_fields(record, attrs, ("uom",))
    record["quantity"] = money(attrs, "quantity", record.get("quantity"))
    record["unit_cost"] = money(attrs, "unit_cost", record.get("unit_cost"))
    record["original_budget_amount"] = money(
        attrs, "original_budget_amount", record.get("original_budget_amount", ZERO)
    )
    if record["calculation_strategy"] == "automatic" and None not in (
        record["quantity"],
        record["unit_cost"],
    ):
        record["original_budget_amount"] = money(
            {"amount": record["quantity"] * record["unit_cost"]}, "amount"
        )
    key = (record["cost_code"]["id"], record["line_item_type"]["id"])
    clash = next(
        (
            r
            for r in w.store.in_project("budget_line_items", w.project_id or 0)
            if (r["cost_code"]["id"], r["line_item_type"]["id"]) == key and r["id"] != record.get("id")
        ),
        None,
    )
    if clash is not None:
        raise RecordInvalid.field(
            "cost_code_id", f"budget line item {clash['id']} already budgets this cost code and cost type"
        )
    return record


def commitment_builder(collection: str, prefix: str) -> Builder:
    """Work order contracts (subcontracts, ``SC-``) and purchase order contracts (``PO-``) share rules."""
    statuses = COMMITMENT_STATUSES[collection]

    def build(w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
        record = _start(
            existing,
            {
                "project": {"id": w.project_id, "name": w.project["name"] if w.project else None},
                "status": "Draft",
                "executed": False,
                "retainage_percent": ZERO,
                "grand_total": ZERO,
                "description": None,
                "origin_code": None,
                "contract_date": None,
                "currency_configuration": project_currency(w),
            },
        )
        if existing and existing["status"] in LOCKED_COMMITMENT_STATUSES and "vendor_id" in attrs:
            raise RecordInvalid.field(
                "vendor_id",
                f"cannot change the contract company of a commitment that is {existing['status']}",
            )
        copy_fields(
            record,
            attrs,
            (
                "title",
                "number",
                "description",
                "executed",
                "origin_code",
                *ORIGIN_FIELDS,
                *(PURCHASE_ORDER_FIELDS if collection == "purchase_order_contracts" else ()),
            ),
        )
        if "status" in attrs:
            record["status"] = choice(attrs["status"], "status", statuses)
        if "vendor_id" in attrs or not existing:
            vendor = vendor_ref(w, attrs.get("vendor_id"))
            record["vendor"] = {"id": vendor["id"], "company": vendor["name"]}
        record["contract_date"] = iso_date(attrs, "contract_date", record.get("contract_date"))
        record["retainage_percent"] = money(attrs, "retainage_percent", record["retainage_percent"])
        if not record.get("number"):
            taken = [
                int(r["number"].rpartition("-")[2])
                for r in w.store.rows(collection)
                if w.store.project_of(collection, r) == w.project_id
                and r["number"].rpartition("-")[2].isdigit()
            ]
            record["number"] = f"{prefix}-{max(taken, default=0) + 1:03d}"
        required(record, "title")
        _unique(w, collection, record, "number", project_of=record_project)
        return record

    return build


def build_contract_payment(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """A payment issued: ``project_id`` and ``contract_id`` at the top level of the body, the rest under
    ``contract_payment``. Procore numbers payments per commitment and links the invoice they pay."""
    record = _start(
        existing,
        {
            "project_id": w.project_id,
            "check_number": None,
            "notes": None,
            "invoice_number": None,
            "draw_request_number": None,
            "origin_code": None,
            "status": PAYMENT_STATUS,
        },
    )
    raw_contract = w.params.get("contract_id", attrs.get("contract_id"))
    if raw_contract is None and existing is None:
        raise RecordInvalid.field("contract_id", "can't be blank (a top-level field of the request body)")
    if raw_contract is not None:
        commitment = commitment_of(w, raw_contract, "contract_id")
        if existing and commitment["id"] != existing["contract_id"]:
            raise RecordInvalid.field(
                "contract_id", f"payment {existing['id']} belongs to commitment {existing['contract_id']}"
            )
        record["contract_id"] = commitment["id"]
    copy_fields(record, attrs, ("invoice_number", "check_number", "notes", *ORIGIN_FIELDS))
    if attrs.get("payment_number") is not None:
        record["payment_number"] = _whole(attrs["payment_number"], "payment_number")
    elif existing is None:
        numbers = [
            p["payment_number"] or 0
            for p in w.store.rows("contract_payments")
            if p["contract_id"] == record["contract_id"]
        ]
        record["payment_number"] = max(numbers, default=0) + 1
    record["amount"] = money(attrs, "amount", record.get("amount"))
    record["date"] = iso_date(attrs, "date", record.get("date"))
    required(record, "amount", "date")
    record["requisition_id"] = _paid_invoice(w, record)
    return record


PAYMENT_STATUS = "paid"  # the status Procore shows on a payment issued outside Procore Pay


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise RecordInvalid.field(name, f"must be a whole number, got {value!r}")
    return int(value)


def _paid_invoice(w: WriteContext, payment: dict[str, Any]) -> int | None:
    """The commitment's subcontractor invoice whose number the payment carries, if there is one."""
    number = payment.get("invoice_number")
    return next(
        (
            r["id"]
            for r in w.store.rows("requisitions")
            if number
            and r.get("commitment_id") == payment["contract_id"]
            and r.get("invoice_number") == number
            and not r.get("deleted_at")
        ),
        None,
    )


def commitment_of(w: WriteContext, value: Any, field: str) -> dict[str, Any]:
    """The project's work order or purchase order contract with this id, or a reason why not."""
    record_id = int(value) if isinstance(value, int | str) and str(value).isdigit() else None
    for collection in ("work_order_contracts", "purchase_order_contracts"):
        found = w.store.get(collection, record_id) if record_id is not None else None
        if found and w.store.project_of(collection, found) == w.project_id and not found.get("deleted_at"):
            return found
    raise RecordInvalid.field(field, f"commitment {value!r} does not exist in project {w.project_id}")


def build_direct_cost(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """A direct cost as the v1.1 create / update take it (lines included); creating one needs
    ``invoice_number``, ``vendor_id`` and ``direct_cost_type``, as the published bodies require."""
    record = _start(
        existing,
        {
            "project_id": w.project_id,
            "project": {"id": w.project_id, "name": (w.project or {}).get("name")},
            "status": "draft",
            "vendor": None,
            "invoice_number": None,
            "description": None,
            "terms": None,
            "received_date": None,
            "payment_date": None,
            "line_items": [],
            "grand_total": ZERO,
            "currency_configuration": project_currency(w),
        },
    )
    if existing is None:
        required(attrs, "invoice_number", "vendor_id", "direct_cost_type")
        record["direct_cost_type"] = choice(attrs["direct_cost_type"], "direct_cost_type", DIRECT_COST_TYPES)
    if "status" in attrs:
        record["status"] = choice(attrs["status"], "status", DIRECT_COST_STATUSES)
    if attrs.get("vendor_id") is not None:
        record["vendor"] = vendor_ref(w, attrs["vendor_id"])
    copy_fields(record, attrs, ("invoice_number", "description", "terms", *ORIGIN_FIELDS))
    for name in ("direct_cost_date", "received_date", "payment_date"):
        record[name] = iso_date(attrs, name, record.get(name))
    if "line_items" in attrs:
        if not isinstance(attrs["line_items"], list):
            raise RecordInvalid.field("line_items", "must be a list of line items")
        record["line_items"] = [
            cost_line(w, line, w.store.new_id("direct_cost_line_items"), position)
            for position, line in enumerate(attrs["line_items"], start=1)
        ]
    record["grand_total"] = sum((line["amount"] for line in record["line_items"]), ZERO)
    required(record, "direct_cost_date")
    return record


def build_direct_cost_v10(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """v1.0 create, update and sync publish no ``line_items``: lines go through their own endpoints."""
    return build_direct_cost(w, {k: v for k, v in attrs.items() if k != "line_items"}, existing)


def cost_line(w: WriteContext, attrs: dict[str, Any], line_id: int, position: int) -> dict[str, Any]:
    """A direct cost line: a priced line with its position, origin and timestamps."""
    line = priced_line(w, attrs, line_id)
    line.update(
        position=position,
        origin_id=str(attrs["origin_id"]) if attrs.get("origin_id") not in (None, "") else None,
        origin_data=attrs.get("origin_data"),
        created_at=w.now,
        updated_at=w.now,
    )
    return line


VENDOR_OBJECT_FIELDS = (
    "id",
    "name",
    "abbreviated_name",
    "address",
    "business_phone",
    "city",
    "country_code",
    "email_address",
    "fax_number",
    "is_active",
    "origin_code",
    "origin_data",
    "origin_id",
    "state_code",
    "trade_name",
    "zip",
    "created_at",
    "updated_at",
)


def full_vendor(vendor: dict[str, Any]) -> dict[str, Any]:
    """The whole directory entry, as prime contracts publish their ``vendor`` and ``contractor``."""
    return {name: vendor.get(name) for name in VENDOR_OBJECT_FIELDS}


def build_prime_contract(
    w: WriteContext, attrs: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """The owner contract: ``vendor_id`` names the owner, published as ``vendor`` and ``contractor``."""
    record = _start(
        existing,
        {
            "project_id": w.project_id,
            "status": "Draft",
            "executed": False,
            "private": False,
            "accounting_method": "amount",
            "description": None,
            "retainage_percent": ZERO,
            "grand_total": ZERO,
            "vendor": None,
            "contractor": None,
            "currency_configuration": project_currency(w),
        },
    )
    copy_fields(record, attrs, ("title", "number", "description", "executed", *ORIGIN_FIELDS))
    if "status" in attrs:
        record["status"] = choice(attrs["status"], "status", PRIME_CONTRACT_STATUSES)
    for name, field in (("vendor", "vendor_id"), ("contractor", "contractor_id")):
        if attrs.get(field) is not None:
            vendor_ref(w, attrs[field], field)  # in this company's directory, or a reason why not
            record[name] = full_vendor(w.store.get("vendors", attrs[field]) or {})
    record["contractor"] = record["contractor"] or record["vendor"]
    record["retainage_percent"] = money(attrs, "retainage_percent", record["retainage_percent"])
    record["contract_date"] = iso_date(attrs, "contract_date", record.get("contract_date"))
    required(record, "title")
    return record


PRIME_CONTRACT_STATUSES = ("Draft", "Out For Bid", "Out For Signature", "Approved", "Complete", "Terminated")
