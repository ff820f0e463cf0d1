"""The firm's controller at month-end, after a sync run: a deterministic set of changes made in Xero.

It gives the Xero -> Procore direction something to carry, end to end: payments on the sync's bills (in
full, in part, a second part, one deleted), bills entered in Xero, spend money and purchase orders raised
in Xero, all tracked to the sync's "Project" options. Client side: reads ``GET /_sandbox/state`` and the
clock, then posts to ``POST /_sandbox/controller`` (one request per step). Same state + same seed: the
same choices and amounts; every amount is whole cents.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

Record = dict[str, Any]
CATEGORY = "Project"  # created by the sync: one option per project, named from its job number and name
COST_ITEM = re.compile(r"\d[\w.]*(?:-[\w.]+)*-[A-Z]{1,3}")  # "<cost code>-<cost type>", e.g. 03-300-M
RETAINAGE_ITEM = "RETAINAGE"
EXPENSE_ACCOUNT = "310"
BANK_ACCOUNT = "090"
LOOKUP_ACCOUNT = "429"  # meant to be mapped to a cost code by a lookup table
UNMAPPED_ACCOUNT = "404"  # meant to stay unmapped
NEW_PAYEES = ("Harbor Tool Rental Co.", "Mesa Portable Sanitation LLC")  # created by Name on spend money
BILL_COUNT, SPEND_COUNT = 6, 10
FULL_SHARE, PART_SHARE = Decimal("0.25"), Decimal("0.10")  # of the sync bills: paid in full, then in part
_SUFFIXES = frozenset({"llc", "inc", "co", "corp", "ltd", "the"})


class ScenarioError(RuntimeError):
    """The state cannot carry the scenario, or the controller refused one of its steps."""


@dataclass(frozen=True)
class Books:
    """What the scenario picks from, read once from the state (every list sorted: no dependence on ids)."""

    tenant_id: str
    today: date
    items_by_option: dict[str, list[str]]  # project option -> cost-code item codes to use on it
    base_currency: str
    cad_option: str | None  # the option of the project whose sync bills are in CAD
    cad_bank: str  # a CAD bank account if the organisation has one (real Xero needs it), else 090
    contacts: list[Record]  # active contacts without a ContactNumber (not created by the sync)
    suppliers: list[Record]  # active contacts with one: the sync's (a Procore vendor id), linked or created
    near_duplicate: Record  # {"ContactID", "Name", "similar": [names]}
    first_bill_number: int
    payable: int  # sync bills AUTHORISED with something due: what pay_share chooses from

    @property
    def usd_options(self) -> list[str]:
        rest = [o for o in self.items_by_option if o != self.cad_option]
        return rest or list(self.items_by_option)


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    """A whole-cent amount in [low, high] dollars."""
    return Decimal(rng.randrange(low * 100, high * 100 + 1)) / 100


def _name_key(name: str) -> str:
    """How a person reads a vendor name: case, punctuation, "&"/"and" and "LLC"-like suffixes ignored."""
    words = re.sub(r"[^\w ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in _SUFFIXES)


def _tenant(state: Record, tenant_id: str | None) -> tuple[str, Record]:
    tenants: dict[str, Record] = state.get("tenants") or {}
    if not tenants:
        raise ScenarioError("month-end: the Xero sandbox holds no tenant")
    if tenant_id is None:
        return next(iter(tenants.items()))
    found = next(((k, v) for k, v in tenants.items() if k.lower() == tenant_id.lower()), None)
    if found is None:
        raise ScenarioError(f"month-end: unknown tenant_id {tenant_id!r}")
    return found


def _project_options(books: Record) -> list[str]:
    category = next(
        (c for c in books["TrackingCategories"] if c["Name"] == CATEGORY and c["Status"] == "ACTIVE"), None
    )
    if category is None:
        raise ScenarioError(
            f"month-end: the Xero organisation has no active tracking category {CATEGORY!r}; run the "
            "Procore -> Xero sync first (it creates the category with one option per project)"
        )
    options = sorted(o["Name"] for o in category.get("Options", []) if o.get("Status", "ACTIVE") == "ACTIVE")
    if not options:
        raise ScenarioError(f"month-end: the tracking category {CATEGORY!r} has no active option")
    return options


def _project_of(line: Record) -> str | None:
    return next((t["Option"] for t in line.get("Tracking") or [] if t.get("Name") == CATEGORY), None)


def _near_duplicate(contacts: list[Record], everyone: list[Record]) -> Record:
    """A Xero-only contact whose name reads like another contact's ("Acme ..." first, then by name)."""
    keys: dict[str, list[str]] = {}
    for c in everyone:
        keys.setdefault(_name_key(c["Name"]), []).append(c["Name"])
    shared = [c for c in contacts if len(keys[_name_key(c["Name"])]) > 1]
    acme = [c for c in contacts if c["Name"].lower().startswith("acme")]
    pick = sorted(shared, key=lambda c: not c["Name"].lower().startswith("acme"))
    chosen = (pick or acme or contacts)[0]
    similar = sorted(n for n in keys[_name_key(chosen["Name"])] if n != chosen["Name"])
    return {"ContactID": chosen["ContactID"], "Name": chosen["Name"], "similar": similar}


def read_books(state: Record, tenant_id: str | None, today: date) -> Books:
    """The facts the scenario needs from ``/_sandbox/state``, or ``ScenarioError`` saying what is missing."""
    tid, books = _tenant(state, tenant_id)
    options = _project_options(books)
    codes = sorted(
        i["Code"] for i in books["Items"] if COST_ITEM.fullmatch(i["Code"]) and i["Code"] != RETAINAGE_ITEM
    )
    if not codes:
        raise ScenarioError(
            "month-end: no cost-code item ('<cost code>-<cost type>') in Xero; run the sync first"
        )
    code_set = set(codes)
    everyone = [c for c in books["Contacts"] if c.get("ContactStatus") == "ACTIVE"]
    synced_ids = {c["ContactID"] for c in everyone if c.get("ContactNumber")}
    used: dict[str, set[str]] = {}
    cad: set[str] = set()
    payable = 0
    for bill in books["Invoices"]:
        if bill["Type"] != "ACCPAY" or bill["Contact"]["ContactID"] not in synced_ids:
            continue
        payable += bill["Status"] == "AUTHORISED" and Decimal(str(bill["AmountDue"])) > 0
        for line in bill.get("LineItems", []):
            option = _project_of(line)
            if option in options and line.get("ItemCode") in code_set:
                used.setdefault(option, set()).add(line["ItemCode"])
            if option in options and bill.get("CurrencyCode") == "CAD":
                cad.add(option)
    by_option = {o: sorted(used[o]) for o in sorted(used)} or {o: codes for o in options}
    cad_option = min(cad & set(by_option)) if cad & set(by_option) else None
    contacts = sorted(
        (c for c in everyone if not c.get("ContactNumber")), key=lambda c: (c["Name"], c["ContactID"])
    )
    suppliers = sorted(
        (c for c in everyone if c.get("ContactNumber")), key=lambda c: (c["Name"], c["ContactID"])
    )
    if len(contacts) < BILL_COUNT:
        raise ScenarioError(
            f"month-end: needs {BILL_COUNT} contacts without a ContactNumber, found {len(contacts)}"
        )
    numbers = [
        int(m.group(1))
        for i in books["Invoices"]
        if (m := re.fullmatch(r"XB-(\d+)", i.get("InvoiceNumber") or ""))
    ]
    cad_banks = sorted(
        a["Code"] for a in books["Accounts"] if a["Type"] == "BANK" and a.get("CurrencyCode") == "CAD"
    )
    return Books(
        tenant_id=tid,
        today=today,
        items_by_option=by_option,
        base_currency=books["Organisation"].get("BaseCurrency") or "USD",
        cad_option=cad_option,
        cad_bank=cad_banks[0] if cad_banks else BANK_ACCOUNT,
        contacts=contacts,
        suppliers=suppliers or contacts,
        near_duplicate=_near_duplicate(contacts, everyone),
        first_bill_number=max([1000, *numbers]) + 1,
        payable=payable,
    )


class _Controller:
    """Posts one step's actions to ``/_sandbox/controller``; a refusal names the step."""

    def __init__(self, xero_url: str, tenant_id: str) -> None:
        self.url, self.tenant_id = f"{xero_url}/_sandbox/controller", tenant_id

    def run(self, step: str, actions: list[Record]) -> list[Record]:
        answer = requests.post(self.url, json={"tenant_id": self.tenant_id, "actions": actions}, timeout=120)
        if answer.status_code != 200:
            raise ScenarioError(f"month-end {step}: the controller refused: {answer.text}")
        return answer.json()["results"]


def _tracked(option: str) -> list[Record]:
    return [{"Name": CATEGORY, "Option": option}]


def item_lines(rng: random.Random, codes: list[str], option: str, count: int) -> list[Record]:
    return [
        {
            "ItemCode": rng.choice(codes),
            "AccountCode": EXPENSE_ACCOUNT,
            "Quantity": rng.randint(1, 5),
            "UnitAmount": float(_cents(rng, 50, 2500)),
            "Tracking": _tracked(option),
        }
        for _ in range(count)
    ]


def _account_line(rng: random.Random, account: str, text: str, option: str, low: int, high: int) -> Record:
    amount = float(_cents(rng, low, high))
    return {
        "Description": text,
        "AccountCode": account,
        "Quantity": 1,
        "UnitAmount": amount,
        "Tracking": _tracked(option),
    }


def _lines_record(lines: list[Record]) -> list[Record]:
    keys = ("ItemCode", "AccountCode", "Quantity", "UnitAmount")
    return [{k: line.get(k) for k in keys} for line in lines]


def _share_count(share: Decimal, candidates: int) -> int:
    """How many invoices ``pay_share`` pays: ``round(share × n)``, half up, as the controller counts."""
    return int((share * candidates).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _payments(ctl: _Controller, books: Books, rng: random.Random, seed: int) -> Record:
    """Cheques run: some sync bills paid in full, some in part, two of those twice, one payment deleted."""
    full_count = _share_count(FULL_SHARE, books.payable)
    if _share_count(PART_SHARE, books.payable - full_count) < 3:
        raise ScenarioError(
            f"month-end payments: needs at least 3 partially paid bills; {books.payable} sync bills with "
            f"something due give {_share_count(PART_SHARE, books.payable - full_count)}"
        )
    day = books.today.isoformat()
    refs = [f"CHK {n}" for n in rng.sample(range(10000, 100000), 3)]
    share = {"action": "pay_share", "type": "ACCPAY", "only_contact_numbers_present": True, "date": day}
    full, partial = ctl.run(
        "payments",
        [
            {**share, "share": float(FULL_SHARE), "fraction": 1, "seed": seed, "reference": refs[0]},
            {**share, "share": float(PART_SHARE), "fraction": 0.4, "seed": seed + 1, "reference": refs[1]},
        ],
    )
    parts = partial["payments"]
    picks = rng.sample(range(len(parts)), 3)
    twice, dropped = [parts[i] for i in sorted(picks[:2])], parts[picks[2]]
    second, deleted = ctl.run(
        "second payments",
        [
            {
                "action": "pay",
                "invoice_ids": [p["InvoiceID"] for p in twice],
                "fraction": 0.5,
                "date": day,
                "reference": refs[2],
            },
            {"action": "delete_payment", "payment_ids": [dropped["PaymentID"]]},
        ],
    )
    return {
        "date": day,
        "paid_in_full": {
            "candidates": full["candidates"],
            "reference": refs[0],
            "payments": full["payments"],
        },
        "partial": {"candidates": partial["candidates"], "reference": refs[1], "payments": parts},
        "second_part": {"reference": refs[2], "payments": second["payments"]},
        "deleted": deleted["deleted"][0],
    }


def _bills(ctl: _Controller, books: Books, rng: random.Random) -> list[Record]:
    """Six bills entered in Xero from contacts the sync does not know, one in CAD, one near-duplicate name."""
    near = books.near_duplicate
    others = [c for c in books.contacts if _name_key(c["Name"]) != _name_key(near["Name"])]
    chosen = rng.sample(others, BILL_COUNT - 1)
    contacts = [chosen[0], near, *chosen[1:]]
    roles = ["cad" if books.cad_option else "plain", "near_duplicate", *["plain"] * (BILL_COUNT - 2)]
    plans: list[Record] = []
    for n, (role, contact) in enumerate(zip(roles, contacts, strict=True)):
        option = books.cad_option if role == "cad" and books.cad_option else rng.choice(books.usd_options)
        invoice = {
            "Type": "ACCPAY",
            "Contact": {"ContactID": contact["ContactID"]},
            "InvoiceNumber": f"XB-{books.first_bill_number + n}",
            "Status": "AUTHORISED",
            "Date": books.today.isoformat(),
            "DueDate": (books.today + timedelta(days=30)).isoformat(),
            "LineAmountTypes": "NoTax",
            "LineItems": item_lines(rng, books.items_by_option[option], option, rng.randint(1, 3)),
            **({"CurrencyCode": "CAD"} if role == "cad" else {}),
        }
        plans.append({"role": role, "contact": contact["Name"], "option": option, "invoice": invoice})
    results = ctl.run("bills", [{"action": "enter_bill", "invoice": p["invoice"]} for p in plans])
    return [
        {
            **r["invoice"],
            "role": p["role"],
            "contact": p["contact"],
            "option": p["option"],
            "lines": _lines_record(p["invoice"]["LineItems"]),
        }
        for p, r in zip(plans, results, strict=True)
    ]


def _spend_lines(rng: random.Random, books: Books, role: str, option: str) -> list[Record]:
    if role == "lookup_account":
        return [_account_line(rng, LOOKUP_ACCOUNT, "Site office supplies", option, 40, 600)]
    if role == "unmapped_account":
        return [_account_line(rng, UNMAPPED_ACCOUNT, "Wire transfer fee", option, 15, 60)]
    return item_lines(rng, books.items_by_option[option], option, rng.randint(1, 2))


def _spend_money(ctl: _Controller, books: Books, rng: random.Random) -> list[Record]:
    """Ten card / debit purchases, tracked to projects; two payees are new, two lines carry no item."""
    roles = ["cad" if books.cad_option else "item", "lookup_account", "unmapped_account"]
    roles += ["item"] * (SPEND_COUNT - len(roles))
    new_at = dict(zip(rng.sample(range(SPEND_COUNT), len(NEW_PAYEES)), NEW_PAYEES, strict=True))
    plans: list[Record] = []
    for n, role in enumerate(roles):
        option = books.cad_option if role == "cad" and books.cad_option else rng.choice(books.usd_options)
        existing = None if n in new_at else rng.choice(books.contacts)
        contact = {"Name": new_at[n]} if existing is None else {"ContactID": existing["ContactID"]}
        cad = role == "cad"
        bank = books.cad_bank if cad else BANK_ACCOUNT
        spend = {
            "Type": "SPEND",
            "Contact": contact,
            "BankAccount": {"Code": bank},
            "Date": books.today.isoformat(),
            "Reference": f"DEBIT {rng.randrange(100000, 1000000)}",
            "LineAmountTypes": "NoTax",
            "LineItems": _spend_lines(rng, books, role, option),
            **({"CurrencyCode": "CAD"} if cad else {}),
        }
        name = new_at.get(n) or (existing or {}).get("Name")
        plans.append(
            {"role": role, "contact": name, "new_contact": existing is None, "option": option, "spend": spend}
        )
    results = ctl.run(
        "spend money", [{"action": "spend_money", "bank_transaction": p["spend"]} for p in plans]
    )
    return [
        {
            **r["bank_transaction"],
            "role": p["role"],
            "contact": p["contact"],
            "new_contact": p["new_contact"],
            "option": p["option"],
            "BankAccount": p["spend"]["BankAccount"]["Code"],
            "CurrencyCode": p["spend"].get("CurrencyCode", books.base_currency),
            "Reference": p["spend"]["Reference"],
            "lines": _lines_record(p["spend"]["LineItems"]),
        }
        for p, r in zip(plans, results, strict=True)
    ]


def _po_lines(rng: random.Random, kind: str, codes: list[str], option: str) -> list[Record]:
    def line(code: str, amount: Decimal) -> Record:
        return {
            "ItemCode": code,
            "AccountCode": EXPENSE_ACCOUNT,
            "Quantity": 1,
            "UnitAmount": float(amount),
            "Tracking": _tracked(option),
        }

    if kind == "over":
        return [line(rng.choice(codes), Decimal("5000000.00"))]
    if kind == "unmapped":
        return [_account_line(rng, UNMAPPED_ACCOUNT, "Lien release courier and wire fees", option, 100, 500)]
    total = _cents(rng, 1000, 3000)
    if rng.random() < 0.5:
        return [line(rng.choice(codes), total)]
    first = Decimal(rng.randrange(1, int(total * 100))) / 100
    return [line(rng.choice(codes), first), line(rng.choice(codes), total - first)]


def _purchase_orders(ctl: _Controller, books: Books, rng: random.Random) -> Record:
    """Three POs raised in Xero: within budget, far over budget (5,000,000.00) and one with no cost code,
    each to a supplier both systems know (a PO goes to a subcontractor; unknown contacts are the bills')."""
    plans: list[Record] = []
    for kind in ("within", "over", "unmapped"):
        contact, option = rng.choice(books.suppliers), rng.choice(books.usd_options)
        order = {
            "Contact": {"ContactID": contact["ContactID"]},
            "Date": books.today.isoformat(),
            "DeliveryDate": (books.today + timedelta(days=14)).isoformat(),
            "Status": "AUTHORISED",
            "Reference": f"Month-end {kind}",
            "LineAmountTypes": "NoTax",
            "LineItems": _po_lines(rng, kind, books.items_by_option[option], option),
        }
        plans.append({"kind": kind, "contact": contact["Name"], "option": option, "order": order})
    results = ctl.run(
        "purchase orders", [{"action": "raise_purchase_order", "purchase_order": p["order"]} for p in plans]
    )
    return {
        p["kind"]: {
            **r["purchase_order"],
            "contact": p["contact"],
            "option": p["option"],
            "item_codes": [line["ItemCode"] for line in p["order"]["LineItems"] if line.get("ItemCode")],
            "lines": _lines_record(p["order"]["LineItems"]),
        }
        for p, r in zip(plans, results, strict=True)
    }


def run_month_end(xero_url: str, *, tenant_id: str | None = None, seed: int = 0) -> Record:
    """Act as the controller at month-end on a running Xero sandbox; the record of everything done."""
    xero_url = xero_url.rstrip("/")
    state = requests.get(f"{xero_url}/_sandbox/state", timeout=120)
    clock = requests.get(f"{xero_url}/_sandbox/clock", timeout=30)
    state.raise_for_status()
    clock.raise_for_status()
    books = read_books(state.json(), tenant_id, date.fromisoformat(clock.json()["now"][:10]))
    rng = random.Random(seed)
    ctl = _Controller(xero_url, books.tenant_id)
    return {
        "scenario": "month-end",
        "seed": seed,
        "tenant_id": books.tenant_id,
        "date": books.today.isoformat(),
        "tracking_category": CATEGORY,
        "options": list(books.items_by_option),
        "cad_option": books.cad_option,
        "near_duplicate": books.near_duplicate,
        "payments": _payments(ctl, books, rng, seed),
        "bills": _bills(ctl, books, rng),
        "spend_money": _spend_money(ctl, books, rng),
        "purchase_orders": _purchase_orders(ctl, books, rng),
    }
