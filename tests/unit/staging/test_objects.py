import pytest

from procore_xero.staging import OBJECT_TYPES, System, get_object_type, staging_table


def test_registry_lists_every_object_type_once() -> None:
    assert sum(1 for system, _ in OBJECT_TYPES if system is System.PROCORE) == 17
    assert sum(1 for system, _ in OBJECT_TYPES if system is System.XERO) == 10
    assert staging_table("procore", "budget_view_detail_rows").name == "procore_budget_view_detail_rows"
    assert staging_table("xero", "bank_transactions").name == "xero_bank_transactions"


@pytest.mark.parametrize(
    ("system", "name", "key_field"),
    [("procore", "requisitions", "id"), ("xero", "currencies", "Code"), ("xero", "tax_rates", "TaxType")],
)
def test_key_fields(system: str, name: str, key_field: str) -> None:
    assert get_object_type(system, name).key_field == key_field


def test_table_columns_are_typed_per_system() -> None:
    procore, xero = staging_table("procore", "vendors"), staging_table("xero", "contacts")
    assert [c.name for c in procore.primary_key.columns] == ["company_id", "id"]
    assert procore.c.id.type.python_type is int and procore.c.project_id.nullable
    assert [c.name for c in xero.primary_key.columns] == ["tenant_id", "id"]
    assert (xero.c.tenant_id.type.length, xero.c.id.type.length) == (36, 64)


@pytest.mark.parametrize(
    ("system", "name", "record", "deleted"),
    [
        ("procore", "vendors", {"deleted_at": "2026-01-01T00:00:00Z"}, True),
        ("procore", "vendors", {"deleted_at": None}, False),
        ("xero", "invoices", {"Status": "DELETED"}, True),
        ("xero", "contacts", {"Status": "ARCHIVED"}, True),
        ("xero", "invoices", {"Status": "VOIDED"}, False),
        ("xero", "invoices", {"Status": "AUTHORISED"}, False),
    ],
)
def test_deleted_flag(system: str, name: str, record: dict, deleted: bool) -> None:
    assert get_object_type(system, name).is_deleted(record) is deleted


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown staged object type procore/widgets.*xero/contacts"):
        get_object_type("procore", "widgets")
