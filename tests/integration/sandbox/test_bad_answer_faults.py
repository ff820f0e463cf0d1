"""The bad-answer fault kinds over HTTP: ``non_json``, ``truncated`` and ``huge_page``, on both emulators."""

from __future__ import annotations

import json

import pytest

from tests.integration.sandbox.procore_api import V10, ProcoreApi
from tests.integration.sandbox.xero_client import login


def test_non_json_answers_an_html_page_and_processes_nothing(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "faults", {"kind": "non_json", "path": "/vendors$", "method": "POST"})
    page = api.call(
        "POST", f"{V10}/vendors", json={"company_id": api.company_id, "vendor": {"name": "Behind A Proxy"}}
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and int(page.headers["content-length"]) == len(
        page.content
    )
    assert "Behind A Proxy" not in {v["name"] for v in api.state()["vendors"]}
    assert sandbox.admin("procore", "GET", "stats")["faults_fired"] == {"non_json": 1}


def test_truncated_keeps_status_and_half_the_body_and_applies_the_write(sandbox):
    api = ProcoreApi(sandbox)
    sandbox.admin("procore", "POST", "faults", {"kind": "truncated", "path": "/vendors$", "method": "POST"})
    cut = api.call(
        "POST", f"{V10}/vendors", json={"company_id": api.company_id, "vendor": {"name": "Half An Answer"}}
    )
    assert cut.status_code == 201 and int(cut.headers["content-length"]) == len(cut.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.text)
    whole = api.get(f"{V10}/vendors", per_page=2000).json()
    assert [v["name"] for v in whole].count("Half An Answer") == 1  # the write was applied, once


def test_huge_page_answers_every_record_from_the_page_on(sandbox):
    api = ProcoreApi(sandbox)
    everything = api.get(f"{V10}/vendors", per_page=2000).json()
    sandbox.admin("procore", "POST", "faults", {"kind": "huge_page", "path": "/vendors$"})
    huge = api.get(f"{V10}/vendors", per_page=10, page=2)
    assert [v["id"] for v in huge.json()] == [v["id"] for v in everything[10:]]
    assert 'rel="next"' not in huge.headers.get("Link", "")
    assert len(api.get(f"{V10}/vendors", per_page=10).json()) == 10  # used up: pages are normal again


def test_xero_huge_page_keeps_the_envelope(sandbox):
    xero = login(sandbox)
    everything = xero.call("GET", "/Invoices", params={"pageSize": 1000}).json()["Invoices"]
    sandbox.admin("xero", "POST", "faults", {"kind": "huge_page", "path": "/Invoices$"})
    huge = xero.call("GET", "/Invoices", params={"pageSize": 5, "page": 1}).json()
    assert [i["InvoiceID"] for i in huge["Invoices"]] == [i["InvoiceID"] for i in everything]
    assert len(everything) > 5 and "pagination" in huge
