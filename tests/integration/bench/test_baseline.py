"""``make bench``'s per-record baseline on a small seed: it makes the same bills and payments as the sync (to
the cent, record by record) and its call counts are what the emulators served and what it says it does."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from sandbox.process import REPO_ROOT, SandboxProcess, start_sandbox
from tools.bench_baseline import bench_baseline
from tools.bench_sync import run_sync
from tools.extract_env import raise_limits

SCALE = "0.1"


@pytest.fixture(scope="module")
def small_sandbox() -> Iterator[SandboxProcess]:
    """Its own sandbox on a tenth of the demo seed: the baseline resets it and runs the month end."""
    server = start_sandbox(REPO_ROOT / "out" / "test-logs" / "sandbox-baseline.log", "--scale", SCALE)
    raise_limits(server)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def figures(small_sandbox: SandboxProcess) -> dict[str, Any]:
    outbound, inbound, env = run_sync(small_sandbox, f"test-scale-{SCALE}")
    _, result = bench_baseline(small_sandbox, "small seed", outbound, inbound, env)
    return result


def test_the_baseline_makes_the_same_bills_and_payments_as_the_sync(figures: dict[str, Any]) -> None:
    same = figures["same"]
    assert same["bills"]["baseline"] == same["bills"]["sync"] == figures["sync"]["bills"] > 0
    assert Decimal(same["bills_total"]["baseline"]) == Decimal(same["bills_total"]["sync"]) > 0
    assert same["same_bills"], "every bill (number, contact, currency, total, lines) is the same"
    assert same["payments"]["baseline"] == same["payments"]["sync"] == figures["sync"]["payments"] > 0
    assert Decimal(same["payments_total"]["baseline"]) == Decimal(same["payments_total"]["sync"]) > 0
    assert same["same_payments"], "every payment (commitment, amount, date, invoice #, notes) is the same"


def test_the_baseline_calls_are_what_the_emulators_served(figures: dict[str, Any]) -> None:
    base = figures["baseline"]
    assert base["served"] == {
        "bills_xero": sum(base["bill_calls"].values()),
        "payments_xero": sum(base["payment_xero_calls"].values()),
        "payments_procore": sum(base["payment_procore_calls"].values()),
    }


def test_the_baseline_makes_one_call_per_record_and_one_lookup_per_reference(figures: dict[str, Any]) -> None:
    base = figures["baseline"]
    calls, shape = base["bill_calls"], base["shape"]
    assert calls["PUT Invoices"] == base["bills"] == figures["sync"]["bills"]
    assert calls["GET Contacts (find by name)"] == base["bills"]
    assert calls["GET Items/{code}"] == shape["item_references"]
    assert calls["GET TrackingCategories (find)"] == shape["tracking_references"]
    assert shape["item_references"] >= base["bills"]  # every bill has at least one coded line
    created = calls.get("PUT Contacts", 0) + calls.get("PUT Items", 0)
    assert 0 < created < base["bills"]  # a reference is created once, then found
    back = base["payment_procore_calls"]
    assert back["POST contract_payments"] == back["GET requisitions/{id}"] == base["payments"]
    assert base["payment_xero_calls"]["GET Invoices/{id}"] >= base["payments"]
    # The sync needs fewer calls per bill than the per-record way, by the factor the bench reports.
    assert figures["sync"]["bill_calls"] * 5 < sum(calls.values())
