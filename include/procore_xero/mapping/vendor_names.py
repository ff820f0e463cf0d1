"""Company names compared the way a person would, one rule for both directions (a Procore vendor looked
for among Xero contacts, a Xero contact among Procore vendors): case, spaces, punctuation and legal-form
suffixes ignored. Names with the same key are the same company; names whose keys are close but not equal
("Summit Steel Erector" / "Summit Steel Erectors") are a near match, for a person to decide."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

# Legal forms that say nothing about which company it is ("Acme Concrete LLC" = "ACME Concrete, L.L.C.").
LEGAL_SUFFIXES = frozenset(
    {
        "llc", "inc", "incorporated", "ltd", "limited", "pty", "co", "corp", "corporation", "company",
        "plc", "lp", "llp", "pc", "gmbh", "sa", "ag", "bv", "nv",
    }
)  # fmt: skip
# How alike two keys must be (difflib's ratio, spaces ignored) to be a near match: one letter in twenty.
NEAR_RATIO = 0.9
_NOT_WORD = re.compile(r"[^\w]+")


def name_key(name: object) -> str:
    """The comparison key of a company name; "" for a blank name or one that is not text (a malformed
    record matches nothing rather than stopping the step for every vendor).

    Dots are dropped before splitting, so "L.L.C." is "llc"; "&" reads as "and"; suffix words are removed
    from the end only ("Company Store Inc" keeps "company store"), never down to nothing.
    """
    if not isinstance(name, str) or not name:
        return ""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ").replace(".", "")
    words = [word for word in _NOT_WORD.sub(" ", text).replace("_", " ").split() if word]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def near_keys(key: str, others: Iterable[str]) -> list[str]:
    """The keys among ``others`` that are close to ``key`` but not equal to it: the same letters without
    spaces ("summit steel" / "summitsteel"), or at most about one letter in twenty different."""
    if not key:
        return []
    squeezed = key.replace(" ", "")
    found = []
    for other in others:
        if not other or other == key:
            continue
        matcher = SequenceMatcher(None, squeezed, other.replace(" ", ""), autojunk=False)
        if min(matcher.real_quick_ratio(), matcher.quick_ratio(), matcher.ratio()) >= NEAR_RATIO:
            found.append(other)
    return found
