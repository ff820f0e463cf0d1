"""PUT/POST of a batch: validate each element (schema, then rules), write the good ones, answer as Xero does.

Without ``summarizeErrors=false`` one bad element fails the call (400 ValidationException) and nothing is
written; with it the call answers 200 and each element carries ``StatusAttributeString`` OK or ERROR.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.xero import documents, payments, reference
from sandbox.xero.reference import Built
from sandbox.xero.resources import Resource
from sandbox.xero.schema import BodySchemas
from sandbox.xero.tenant import Tenant

Write = tuple[str, str, dict[str, Any]]  # (collection, id field, record)


def _build(
    resource: Resource,
    tenant: Tenant,
    element: dict[str, Any],
    existing: dict[str, Any] | None,
    now: datetime,
    unit_dp: int,
) -> tuple[Built, list[Write]]:
    """The record for one element plus the writes it causes (new contacts, paid-down invoices)."""
    name = resource.collection
    if name == "Contacts":
        return reference.build_contact(tenant, element, existing, now), []
    if name == "Items":
        return reference.build_item(tenant, element, existing, now, unit_dp), []
    if name == "TrackingCategories":
        return reference.build_tracking_category(tenant, element, existing, now), []
    if name == "Payments":
        built, invoice = payments.create_payment(tenant, element, now)
        return built, [("Invoices", "InvoiceID", invoice)] if invoice else []
    ctx = documents.DocumentContext(tenant, now, unit_dp)
    builder = {
        "Invoices": documents.build_invoice,
        "PurchaseOrders": documents.build_purchase_order,
        "BankTransactions": documents.build_bank_transaction,
    }[name]
    built = builder(ctx, element, existing)
    return built, [("Contacts", "ContactID", c) for c in ctx.new_contacts]


def _existing(
    resource: Resource, tenant: Tenant, element: dict[str, Any], method: str
) -> tuple[Any, str | None]:
    """The stored record a POST updates (by id; Items also by Code); PUT only creates."""
    rows = tenant.records[resource.collection]
    ident = element.get(resource.id_field)
    if ident:
        found = rows.get(str(ident).lower())
        if method == "PUT" and found is not None:
            return None, f"{resource.id_field} '{ident}' already exists: use POST to update it"
        if method == "POST" and found is None:
            return None, f"{resource.id_field} '{ident}' does not exist"
        return found, None
    if method == "POST" and resource.collection == "Items" and element.get("Code"):
        return tenant.find("Items", "Code", element["Code"]), None
    return None, None


def elements_of(resource: Resource, body: Any) -> list[Any] | None:
    """``{"Invoices": [...]}`` or a single element object; None when the body is neither."""
    if isinstance(body, dict) and isinstance(body.get(resource.collection), list):
        return body[resource.collection]
    if isinstance(body, dict) and resource.collection not in body:
        return [body]
    return None


def drop_nulls(value: Any) -> Any:
    """Xero ignores null fields in a request (its spec marks many ``nullable``)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def write_batch(
    resource: Resource,
    tenant: Tenant,
    elements: list[Any],
    *,
    method: str,
    summarize: bool,
    schemas: BodySchemas,
    now: datetime,
    unit_dp: int = 2,
) -> tuple[bool, list[dict[str, Any]]]:
    """Returns (all elements valid, the answer's elements); with ``summarize`` a failure writes nothing.
    ``unit_dp`` is the call's ``unitdp``: unit amounts are kept to that many decimals."""
    snapshot = tenant.snapshot()
    answers: list[dict[str, Any]] = []
    all_ok = True
    for raw in elements:
        element = drop_nulls(raw)
        errors = (
            schemas.errors(resource.schema, element)
            if isinstance(element, dict)
            else ["The element must be a JSON object"]
        )
        record = None
        if not errors:
            existing, problem = _existing(resource, tenant, element, method)
            if problem:
                errors = [problem]
            else:
                (record, errors), side_writes = _build(resource, tenant, element, existing, now, unit_dp)
                if record is not None and not errors:
                    for collection, id_field, row in side_writes:
                        tenant.put(collection, id_field, row)
        if errors or record is None:
            all_ok = False
            shown = element if isinstance(element, dict) else {"Element": element}
            answers.append(
                {
                    **shown,
                    "StatusAttributeString": "ERROR",
                    "HasErrors": True,
                    "HasValidationErrors": True,
                    "ValidationErrors": [{"Message": m} for m in errors],
                }
            )
            continue
        tenant.put(resource.collection, resource.id_field, record)
        answers.append({**record, "StatusAttributeString": "OK"})
    if summarize and not all_ok:
        tenant.restore(snapshot)
    return all_ok, answers


def delete_payment_write(
    tenant: Tenant, payment: dict[str, Any], element: dict[str, Any], *, schemas: BodySchemas, now: datetime
) -> Built:
    """POST Payments/{id} ``{"Status": "DELETED"}``: check, store the DELETED payment and reverted invoice."""
    problems = schemas.errors("PaymentDelete", element)
    if not problems and element.get("Status") != "DELETED":
        problems = ["A payment can only be changed to Status DELETED"]
    if problems:
        return None, problems
    (deleted, problems), invoice = payments.delete_payment(tenant, payment, now)
    if problems or deleted is None or invoice is None:
        return None, problems
    tenant.put("Payments", "PaymentID", deleted)
    tenant.put("Invoices", "InvoiceID", invoice)
    return deleted, []
