"""The catalogue's size is asserted, so a case dropped from a table (or a table skipped) fails the suite."""

from __future__ import annotations

from tests.catalogue.cases import CASES
from tests.catalogue.test_bad_answers import ANSWERS, HUGE_PAGES
from tests.catalogue.xero_cases import XERO_CASES

# Procore records 33, Xero bills 8; bad answers: 4 once, 4 every time, 2 huge pages, 1 cut-off write
EXPECTED_CASES = 52


def test_every_case_is_counted_and_named_once() -> None:
    names = [c.name for c in CASES] + [c.name for c in XERO_CASES]
    assert len(names) == len(set(names))
    cut_off_write = 1  # test_a_cut_off_answer_to_a_write_creates_nothing_twice
    counted = len(CASES) + len(XERO_CASES) + 2 * len(ANSWERS) + len(HUGE_PAGES) + cut_off_write
    assert counted == EXPECTED_CASES
