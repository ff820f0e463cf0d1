"""The catalogue's Xero side: bills a person enters in Xero (the sandbox's controller, through the API's own
write paths) with hostile contacts and amounts, tracked to a project the sync created. They come back to
Procore as vendors and direct costs: held with a reason, or arriving exactly, to the cent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.catalogue.cases import HTML_PAYLOAD, RTL_NAME

Record = dict[str, Any]
CATEGORY = "Project"
EXPENSE_ACCOUNT = "310"


@dataclass(frozen=True)
class Books:
    """Where a bill can go: a synced project's tracking option and the cost-code items used on it."""

    option: str
    codes: list[str]


@dataclass(frozen=True)
class XeroCase:
    """``contact``: the new contact's name on the bill; ``lines``: its lines; ``currency``: its currency.
    ``held``: the reason code the bill or its contact is held with; None: the bill arrives as a direct cost
    whose total is Xero's to the cent, from a Procore vendor of exactly ``contact``."""

    name: str
    contact: str
    lines: Callable[[Books], list[Record]]
    held: str | None = None
    currency: str | None = None


def line(books: Books, quantity: Any = 1, unit: Any = 100.0, **extra: Any) -> Record:
    return {
        "ItemCode": books.codes[0],
        "AccountCode": EXPENSE_ACCOUNT,
        "Quantity": quantity,
        "UnitAmount": unit,
        "Tracking": [{"Name": CATEGORY, "Option": books.option}],
        **extra,
    }


XERO_CASES: tuple[XeroCase, ...] = (
    XeroCase("Xero contact right-to-left", RTL_NAME, lambda b: [line(b)]),
    XeroCase("Xero contact formula", '=HYPERLINK("http://evil.example","x")', lambda b: [line(b)]),
    XeroCase("Xero contact HTML", HTML_PAYLOAD, lambda b: [line(b)]),
    XeroCase(
        "Xero amounts with 4 decimals",
        "Four Decimals Supply Co",
        lambda b: [line(b, quantity=3.125, unit=10.1234), line(b, quantity=7, unit=0.3333)],
    ),
    XeroCase(
        "Xero line description formula", "Formula Lines Ltd", lambda b: [line(b, Description="@SUM(A1:A9)")]
    ),
    XeroCase(
        "Xero bill in CAD on a USD project",
        "Maple Leaf Supply",
        lambda b: [line(b)],
        "currency_mismatch",
        "CAD",
    ),
    XeroCase(
        "Xero contact name on two lines",
        "Two Line\nSupply Co",
        lambda b: [line(b)],
        "vendor_name_control_characters",
    ),
    XeroCase(
        "Xero line with no cost code",
        "No Code Hardware",
        lambda b: [{k: v for k, v in line(b).items() if k != "ItemCode"}],
        "unmapped_cost_code",
    ),
)


def bill(case: XeroCase, books: Books, number: int, today: str) -> Record:
    """The ``enter_bill`` action for one case."""
    invoice = {
        "Type": "ACCPAY",
        "Contact": {"Name": case.contact},
        "InvoiceNumber": f"CAT-{number}",
        "Status": "AUTHORISED",
        "Date": today,
        "DueDate": today,
        "LineAmountTypes": "NoTax",
        "LineItems": case.lines(books),
        **({"CurrencyCode": case.currency} if case.currency else {}),
    }
    return {"action": "enter_bill", "invoice": invoice}
