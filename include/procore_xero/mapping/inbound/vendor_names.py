"""Company names compared the way a person would: case, punctuation and legal-form suffixes ignored."""

from __future__ import annotations

import re
import unicodedata

# Legal forms that say nothing about which company it is ("Acme Concrete LLC" = "ACME Concrete, L.L.C.").
LEGAL_SUFFIXES = frozenset(
    {
        "llc", "inc", "incorporated", "ltd", "limited", "pty", "co", "corp", "corporation", "company",
        "plc", "lp", "llp", "pc", "gmbh", "sa", "ag", "bv", "nv",
    }
)  # fmt: skip
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
