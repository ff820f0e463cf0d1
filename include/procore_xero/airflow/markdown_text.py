"""Record text shown on Airflow's Required Actions page, which renders the task's body as Markdown.

A vendor named ``[Pay here](https://evil.example)`` or ``![x](https://tracker.example/p.png)`` must show as
those characters, not become a live link or an image fetched when the controller opens the page. Every ASCII
punctuation character is backslash-escaped (CommonMark allows it for all of them and shows the character
itself), which also stops tables (``|``), headings (``#``), emphasis, HTML and entities (``<``, ``&``) and the
GFM autolinks of bare addresses (``www.``, ``https:``, ``@``). Control characters are shown as escapes, so a
line break cannot end a table row.
"""

from __future__ import annotations

import string

from procore_xero.validation.hold import readable

_ESCAPED = {ord(ch): f"\\{ch}" for ch in string.punctuation}


def markdown_text(value: object) -> str:
    """``value`` as Markdown that renders as exactly its text, on one line."""
    return readable(str(value)).translate(_ESCAPED)
