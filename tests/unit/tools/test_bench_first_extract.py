"""The first-extract bench's arithmetic: a window's share is the server's count as its own headers state it,
and a call repeated after the kill is told apart from a re-read of a read the kill interrupted."""

from __future__ import annotations

from typing import Any

from tools.bench_first_extract import project_of, repeats, window_shares


def answer(reset: int, remaining: int | None, limit: int = 100, status: int = 200) -> dict[str, Any]:
    return {
        "reset": str(reset),
        "remaining": None if remaining is None else str(remaining),
        "limit": str(limit),
        "status": status,
    }


def call(path: str, query: list[list[str]] | None = None, status: int = 200) -> dict[str, Any]:
    return {"method": "GET", "path": path, "query": query or [], "status": status}


def test_a_window_share_is_its_limit_less_the_least_remaining_and_the_last_window_is_left_out() -> None:
    answers = [
        answer(1000, 40),
        answer(1000, 3),  # answers arrive out of order from 4 workers: the least counts
        answer(1000, 5),
        answer(1000, 0, status=429),
        answer(1060, 12),
        answer(1060, None),  # an answer without headers (a proxy's) is ignored
        answer(1120, 90),  # the extract ended in this window
    ]
    assert window_shares(answers) == [1.0, 0.88]


def test_no_full_window_means_no_share() -> None:
    assert window_shares([answer(1000, 50)]) == []


def test_the_project_of_a_call_is_in_its_path_or_its_project_id() -> None:
    assert project_of(call("/rest/v1.0/projects/17/commitment_change_orders")) == "17"
    assert project_of(call("/rest/v1.0/budget_views", [["project_id", "23"], ["page", "1"]])) == "23"
    assert project_of(call("/rest/v1.0/vendors", [["company_id", "5"]])) == ""


def test_repeats_count_successful_calls_sent_again_in_any_parameter_order() -> None:
    before = [
        call("/rest/v1.0/vendors", [["company_id", "5"], ["page", "1"]]),
        call("/rest/v1.0/budget_views", [["project_id", "23"]]),
        call("/rest/v1.0/projects/17/commitment_change_orders"),
        call("/rest/v1.0/cost_codes", [["project_id", "17"]], status=429),  # refused: may be sent again
        {"method": "POST", "path": "/oauth/token", "query": [], "status": 200},
    ]
    after = [
        {"method": "POST", "path": "/oauth/token", "query": [], "status": 200},
        call("/rest/v1.0/vendors", [["page", "1"], ["company_id", "5"]]),
        call("/rest/v1.0/projects/17/commitment_change_orders"),
        call("/rest/v1.0/cost_codes", [["project_id", "17"]]),
        call("/rest/v1.0/budget_views", [["project_id", "24"]]),
    ]
    assert repeats(before, after, interrupted={"17"}) == {"repeated_after_kill": 1, "repeated_in_flight": 1}
    assert repeats(before, after, interrupted=set()) == {"repeated_after_kill": 2, "repeated_in_flight": 0}
