"""A Procore project's currency, which Procore does not publish on the project.

Procore's project models carry no ``currency_configuration``; its documents do (prime contracts,
commitments, requisitions, pay apps, direct costs, budget rows), all in their project's currency. The sync
takes a project's currency from its prime contract, else from its first commitment naming one; a project
with neither has no currency here and callers fall back to the organisation's base currency.
"""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.frames import id_text, pluck


def document_projects(documents: pd.DataFrame) -> pd.Series:
    """Each document's project id as text: ``project_id`` where sent, else the ``project {id}`` reference."""
    flat = id_text(documents["project_id"]) if "project_id" in documents else None
    nested = id_text(pluck(documents["project"], "id")) if "project" in documents else None
    if flat is None:
        return nested if nested is not None else pd.Series([None] * len(documents), index=documents.index)
    return flat if nested is None else flat.where(flat.notna(), nested)


def project_currencies(*documents: pd.DataFrame) -> dict[str, str]:
    """Project id -> ISO currency code, from the first of ``documents`` (frames in order of trust) that
    gives the project one."""
    found: dict[str, str] = {}
    for frame in documents:
        if frame.empty or "currency_configuration" not in frame:
            continue
        codes = pluck(frame["currency_configuration"], "currency_iso_code")
        for project, code in zip(document_projects(frame), codes, strict=True):
            if project is not None and code and project not in found:
                found[project] = str(code)
    return found
