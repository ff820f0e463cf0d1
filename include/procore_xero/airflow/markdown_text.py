"""Record text shown in the table of Airflow's Required Actions page, which renders the body as Markdown
(GFM: tables, and bare addresses turned into links).

A vendor named ``[Pay here](https://evil.example/x)`` or ``![x](https://tracker.example/p.png)`` must show as
those characters, not become a live link or an image fetched when the controller opens the page. Backslash
escapes are not enough: the UI's GFM autolinking runs on the text after escapes are undone, so a bare
``https://…`` or ``www.…`` in an escaped name still became a link (seen in the browser test). Each value is
therefore a code span: its content is literal (no links, images, emphasis, headings, HTML or entities, and
autolinking skips code), fenced with one backtick more than its longest backtick run. Inside a table cell a
``|`` would still end the cell, so it is escaped (GFM shows ``\\|`` in a cell's code span as ``|``). Control
characters are shown as escapes, so a line break cannot end a table row.
"""

from __future__ import annotations

import re

_BACKTICKS = re.compile(r"`+")


def markdown_text(value: object) -> str:
    """``value`` as a table cell's Markdown that renders as exactly its text (empty for empty text)."""
    from procore_xero.validation.hold import readable  # at run time: DAG files import this module

    text = readable(str(value)).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    padded = text.startswith("`") or text.endswith("`") or (text[0] == text[-1] == " " and text.strip())
    pad = " " if padded else ""
    return f"{fence}{pad}{text}{pad}{fence}"
