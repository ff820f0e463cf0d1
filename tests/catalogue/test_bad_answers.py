"""Bad API answers through the sandboxes' fault machinery: an HTML page instead of JSON, a body cut in half,
a page far bigger than asked for. A bad answer once is retried and nothing is lost; a bad answer every time
stops the extract with an error naming the call and what was wrong (Airflow retries the task)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from procore_xero.clients import MalformedResponse, RetryPolicy
from procore_xero.extract.procore import extract_procore
from procore_xero.extract.xero import extract_xero
from procore_xero.staging import TaskTry, open_staging
from tests.catalogue.world import World
from tools.bench_extract import procore_client, xero_client
from tools.bench_sync import sync_pass
from tools.extract_env import patched_environ, sandbox_now, staged_counts

FAST = RetryPolicy(base_delay=0.01, max_delay=0.02)
SMALL_PAGE = 10  # so the demo's lists span many pages and a huge page is many times the size asked for


@dataclass(frozen=True)
class Answer:
    """A bad answer to the list call of one object type; ``says``: what the error must tell."""

    service: str
    kind: str
    object_type: str
    path: str
    says: str


ANSWERS = (
    Answer("procore", "non_json", "vendors", "/rest/v1.0/vendors", "not JSON (text/html"),
    Answer("procore", "truncated", "vendors", "/rest/v1.0/vendors", "truncated or malformed"),
    Answer("xero", "non_json", "contacts", "/api.xro/2.0/Contacts", "not JSON (text/html"),
    Answer("xero", "truncated", "invoices", "/api.xro/2.0/Invoices", "truncated or malformed"),
)
HUGE_PAGES = (
    Answer("procore", "huge_page", "vendors", "/rest/v1.0/vendors", ""),
    Answer("xero", "huge_page", "invoices", "/api.xro/2.0/Invoices", ""),
)


@pytest.fixture
def extract(world: World, tmp_path: Path) -> Iterator[Any]:
    """``extract(answer)``: one object type into a fresh staging database; (result, rows staged)."""
    url = f"sqlite:///{tmp_path / 'staging.db'}"
    with patched_environ({**world.env, "STAGING_DB_URL": url}):
        engine, run = open_staging(), TaskTry("catalogue", "bad-answers", "extract")

        def one(answer: Answer) -> tuple[dict[str, Any], int]:
            if answer.service == "procore":
                client = procore_client(world.env)
                client.per_page = SMALL_PAGE
                client.api.retry = FAST
                result = extract_procore(
                    client, engine, answer.object_type, task_try=run, window_end=sandbox_now(world.sandbox)
                )
            else:
                client = xero_client(world.env, engine)
                client.page_size = SMALL_PAGE
                client.api.retry = FAST
                result = extract_xero(client, engine, answer.object_type, task_try=run)
            return result, staged_counts(url, answer.service, [answer.object_type])[answer.object_type]

        yield one
    for service in ("procore", "xero"):
        world.sandbox.admin(service, "DELETE", "faults")


def served(world: World, answer: Answer) -> int:
    """How many records the sandbox holds for the object type (what a good extract stages)."""
    if answer.service == "procore":
        return len(world.sandbox.admin("procore", "GET", "state")[answer.object_type])
    key = {"contacts": "Contacts", "invoices": "Invoices"}[answer.object_type]
    return len(world.xero()[key])


def arm(world: World, answer: Answer, count: int) -> None:
    rule = {"kind": answer.kind, "path": f"{answer.path}$", "method": "GET", "count": count}
    world.sandbox.admin(answer.service, "POST", "faults", rule)


@pytest.mark.parametrize(
    "answer", ANSWERS + HUGE_PAGES, ids=[f"{a.service} {a.kind} once" for a in ANSWERS + HUGE_PAGES]
)
def test_one_bad_answer_loses_nothing(world: World, extract: Any, answer: Answer) -> None:
    arm(world, answer, 1)
    result, staged = extract(answer)
    assert staged == served(world, answer) == result["inserted"] > SMALL_PAGE
    fired = world.sandbox.admin(answer.service, "GET", "faults")["fired"]
    assert fired.get(answer.kind, 0) >= 1


@pytest.mark.parametrize("answer", ANSWERS, ids=[f"{a.service} {a.kind} always" for a in ANSWERS])
def test_bad_answers_every_time_stop_with_a_clear_error(world: World, extract: Any, answer: Answer) -> None:
    arm(world, answer, FAST.attempts)
    with pytest.raises(MalformedResponse) as raised:
        extract(answer)
    assert f"GET {answer.path} " in str(raised.value) and answer.says in str(raised.value)
    assert raised.value.attempts == FAST.attempts and not raised.value.maybe_applied


def test_a_cut_off_answer_to_a_write_creates_nothing_twice(world: World) -> None:
    """A new vendor's contact is created, but Xero's answer arrives cut in half: the batch is sent again
    under the same idempotency key and Xero answers with the first result; one contact, linked."""
    name = "Cut Off Answer Supply LLC"
    client = procore_client(world.env)
    vendor = {"company_id": client.company_id, "vendor": {"name": name, "is_active": True}}
    created = client.send("POST", "/rest/v1.0/vendors", vendor)
    with patched_environ(world.env):
        run = TaskTry("catalogue", "cut-off", "extract")
        extract_procore(
            client, world.ctx.engine, "vendors", task_try=run, window_end=sandbox_now(world.sandbox)
        )
        world.ctx.client.api.retry = FAST
        cut_off = {"kind": "truncated", "path": "/Contacts$", "method": "PUT", "count": 1}
        world.sandbox.admin("xero", "POST", "faults", cut_off)
        sync_pass(world.ctx, "catalogue-cut-off")
    assert world.sandbox.admin("xero", "GET", "faults")["fired"].get("truncated", 0) >= 1
    contacts = [c for c in world.xero()["Contacts"] if c["Name"] == name]
    assert len(contacts) == 1 and contacts[0]["ContactNumber"] == str(created["id"])
    assert world.links("vendors")[str(created["id"])] == contacts[0]["ContactID"]
