"""The bad-input catalogue: one row per hostile input, written into the sandbox's seed.

A case alters one record of the demo seed (``alter`` gets a ``Picker`` that hands out records no other case
has touched) and says what the sync must make of it: ``held`` with a reason code whose message names the
field, or ``arrives`` in Xero exactly as sent. To add a case, add a row to ``CASES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.procore_state import project_currency

Record = dict[str, Any]
HUGE = "A" * 100_000  # a 100 kB string
RTL_NAME = "شركة البناء المتحدة ‏(الفرع ١)"  # Arabic, with a right-to-left mark
HEBREW_NAME = "קבלני גליל בע״מ"
HTML_PAYLOAD = "<script>alert('x')</script><b>Builders</b> & Sons"
SQL_PAYLOAD = "Robert'); DROP TABLE procore_vendors;--"
FORMULA_PAYLOADS = ('=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1:A9)")


@dataclass
class Picker:
    """Hands out seed records, each at most once, so cases never alter the same record."""

    seed: dict[str, Any]
    taken: set[tuple[str, int]] = field(default_factory=set)

    def take(self, collection: str, wanted: Callable[[Record], bool] = lambda _r: True) -> Record:
        for record in self.seed["procore"][collection]:
            if (collection, record["id"]) not in self.taken and wanted(record):
                self.taken.add((collection, record["id"]))
                return record
        raise LookupError(f"no free {collection} record for this case")

    def synced_project(self) -> int:
        """The first project the sync sends (job number, 'Send to Xero' stage, USD)."""
        return next(
            p["id"]
            for p in self.seed["procore"]["projects"]
            if p.get("project_number")
            and p["project_stage"]["name"] == "Send to Xero"
            and project_currency(self.seed["procore"], p) == "USD"
        )

    def vendor(self) -> Record:
        return self.take("vendors", lambda v: v["is_active"])

    def bill(self) -> Record:
        """An approved, positive subcontractor invoice on a synced project."""
        project = self.synced_project()
        return self.take(
            "requisitions",
            lambda r: (
                r["status"] == "approved"
                and r["project_id"] == project
                and r["summary"]["current_payment_due"] > 0
                and r["summary"]["retainage_released_this_period"] == 0
            ),
        )

    def commitment_bill(self) -> tuple[Record, Record]:
        """A bill (as ``bill``) whose commitment no other case touches, and the commitment: every
        invoice on it is taken, since altering a commitment alters all of them."""
        bill = self.bill()
        invoices = self.seed["procore"]["requisitions"]
        siblings = [r for r in invoices if r["commitment_id"] == bill["commitment_id"] and r is not bill]
        if any(("requisitions", r["id"]) in self.taken for r in siblings):
            return self.commitment_bill()
        self.taken.update(("requisitions", r["id"]) for r in siblings)
        kinds = ("work_order_contracts", "purchase_order_contracts")
        commitment = next(
            c for k in kinds for c in self.seed["procore"][k] if c["id"] == bill["commitment_id"]
        )
        return bill, commitment


@dataclass(frozen=True)
class Target:
    """The altered record: its staging type and id."""

    source_type: str  # e.g. "vendors", "requisitions", "projects"
    source_id: int


@dataclass(frozen=True)
class Case:
    """``held``: the reason code the record is held with; ``shows``: text its message must contain (the
    field, the bad value). ``arrives``: the field that must reach Xero unchanged (Xero field, value)."""

    name: str
    alter: Callable[[Picker], Target]
    held: str | None = None
    shows: str = ""
    arrives: tuple[str, str] | None = None


def _vendor_name(value: Any) -> Callable[[Picker], Target]:
    def alter(pick: Picker) -> Target:
        vendor = pick.vendor()
        vendor["name"] = value
        return Target("vendors", vendor["id"])

    return alter


def _vendor_without_name(pick: Picker) -> Target:
    vendor = pick.vendor()
    del vendor["name"]
    return Target("vendors", vendor["id"])


def _bill(change: Callable[[Record], None]) -> Callable[[Picker], Target]:
    def alter(pick: Picker) -> Target:
        bill = pick.bill()
        change(bill)
        return Target("requisitions", bill["id"])

    return alter


def _set(key: str, value: Any) -> Callable[[Record], None]:
    return lambda record: record.__setitem__(key, value)


def _first_line(key: str, value: Any) -> Callable[[Record], None]:
    return lambda record: record["items"][0].__setitem__(key, value)


def _commitment_currency(code: Any) -> Callable[[Picker], Target]:
    """A commitment in an unknown currency: its bills cannot go to Xero."""

    def alter(pick: Picker) -> Target:
        bill, commitment = pick.commitment_bill()
        commitment["currency_configuration"] = {"currency_iso_code": code}
        return Target("requisitions", bill["id"])

    return alter


def _owner_invoice(key: str, value: Any) -> Callable[[Picker], Target]:
    """An owner invoice (payment application: a sales invoice in Xero) with one field altered."""

    def alter(pick: Picker) -> Target:
        invoice = pick.take("payment_applications", lambda r: r["status"] == "approved")
        invoice[key] = value
        return Target("payment_applications", invoice["id"])

    return alter


def _no_summary(bill: Record) -> None:
    bill["summary"] = None


CASES: tuple[Case, ...] = (
    Case("vendor name null", _vendor_name(None), held="missing_vendor_name", shows="no name"),
    Case("vendor name field missing", _vendor_without_name, held="missing_vendor_name", shows="no name"),
    Case("vendor name blank", _vendor_name("   "), held="missing_vendor_name", shows="no name"),
    Case("vendor name a number", _vendor_name(12345), held="vendor_name_not_text", shows="int"),
    Case("vendor name a list", _vendor_name(["a", "b"]), held="vendor_name_not_text", shows="list"),
    Case("vendor name invisible", _vendor_name("\u200f\u200b "), held="missing_vendor_name", shows="no name"),
    Case(
        "vendor name with NUL",
        _vendor_name("Acme\x00 Supply"),
        held="vendor_name_control_characters",
        shows="NUL",
    ),
    Case(
        "vendor name multi-line",
        _vendor_name("Acme\nSupply\r\nLLC"),
        held="vendor_name_control_characters",
        shows="line",
    ),
    Case("vendor name 100 kB", _vendor_name(HUGE), held="contact_name_too_long", shows="255"),
    Case("vendor name right-to-left", _vendor_name(RTL_NAME), arrives=("Name", RTL_NAME)),
    Case("vendor name Hebrew", _vendor_name(HEBREW_NAME), arrives=("Name", HEBREW_NAME)),
    Case("vendor name HTML", _vendor_name(HTML_PAYLOAD), arrives=("Name", HTML_PAYLOAD)),
    Case("vendor name SQL", _vendor_name(SQL_PAYLOAD), arrives=("Name", SQL_PAYLOAD)),
    *(Case(f"vendor name formula {p[:2]}", _vendor_name(p), arrives=("Name", p)) for p in FORMULA_PAYLOADS),
    Case(
        "bill date impossible",
        _bill(_set("billing_date", "2025-02-30")),
        held="invalid_invoice_date",
        shows="2025-02-30",
    ),
    Case(
        "bill date not a date",
        _bill(_set("billing_date", "next Tuesday")),
        held="invalid_invoice_date",
        shows="next Tuesday",
    ),
    Case(
        "bill date a number",
        _bill(_set("billing_date", 20250301)),
        held="invalid_invoice_date",
        shows="20250301",
    ),
    Case("bill date null", _bill(_set("billing_date", None)), held="invalid_invoice_date", shows="None"),
    Case("bill vendor null", _bill(_set("vendor", None)), held="unmapped_vendor", shows="vendor None"),
    Case(
        "bill without lines",
        _bill(_set("items", [])),
        held="sov_lines_do_not_sum",
        shows="SOV lines billed sum to 0.00",
    ),
    Case("bill without summary", _bill(_no_summary), held="missing_invoice_summary", shows="summary"),
    Case("bill number wrong type", _bill(_set("invoice_number", {"n": 1})), arrives=("Status", "AUTHORISED")),
    Case(
        "bill line description formula",
        _bill(_first_line("description_of_work", "=CMD|'/c calc'!A0")),
        arrives=("Description", "=CMD|'/c calc'!A0"),
    ),
    Case(
        "bill line description HTML",
        _bill(_first_line("description_of_work", HTML_PAYLOAD)),
        arrives=("Description", HTML_PAYLOAD),
    ),
    Case(
        "owner invoice date impossible",
        _owner_invoice("billing_date", "2025-02-30"),
        held="invalid_invoice_date",
        shows="2025-02-30",
    ),
    # a number where Procore sends text: the label is still built (the owner is no Xero contact here)
    Case(
        "owner invoice number a number",
        _owner_invoice("invoice_number", 4711),
        held="unmapped_vendor",
        shows="Owner invoice 4711",
    ),
    Case("bill currency unknown", _commitment_currency("XYZ"), held="currency_not_enabled", shows="XYZ"),
    Case("bill currency lower case", _commitment_currency("usd"), held="currency_not_enabled", shows="usd"),
    Case("bill currency null", _commitment_currency(None), held="currency_not_enabled", shows="None"),
)
