"""The three job-cost figures per project and budget code (cost code + cost type), from Xero's books.

Job-to-date cost = bill and spend-money lines tracked to the project on that code; commitment invoiced =
the part from bills the sync created out of Procore subcontractor invoices; direct costs = the difference.
Retainage lines are not cost (they move money between payable and retention), and lines not coded to a
budget code are left out (they wait in the exception queue as direct costs). Figures are in the
project's currency and in the organisation's base currency, at each document's own rate. A line in another
currency than its project's is left out too (its document waits as ``currency_mismatch``): adding USD 95.00
to a EUR project's figures would show it as EUR 95.00, and converting it would need a EUR rate the document
does not carry (Xero's ``CurrencyRate`` is to the base currency only).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from procore_xero.mapping.frames import ZERO, decimal_sum
from procore_xero.staging.schema import JOB_COST_FIGURES as FIGURES

KEY = ["project_id", "cost_code_id", "line_item_type_id", "cost_code", "cost_type"]


def job_cost_figures(
    lines: pd.DataFrame,
    commitment_doc_ids: frozenset[str],
    currencies: Mapping[str, str],
    base_currency: str,
) -> pd.DataFrame:
    """``lines`` (``document_lines`` of finalised bills and spend money) -> one row per budget code with
    ``FIGURES``; ``commitment_doc_ids``: the Xero ids of bills that came from Procore; ``currencies``: each
    project's currency (``base_currency`` when it has none)."""
    cost = _cost_lines(lines)
    cost = cost[_in_project_currency(cost, currencies, base_currency)]
    if cost.empty:
        return pd.DataFrame(columns=[*KEY, *FIGURES])
    cost = cost.assign(from_procore=cost["doc_id"].isin(commitment_doc_ids))
    keys = [cost[k] for k in KEY]
    invoiced = cost["from_procore"]
    out = pd.DataFrame(
        {
            "jtd_cost": decimal_sum(cost["line_amount"], keys),
            "commitment_invoiced": decimal_sum(cost["line_amount"].where(invoiced, _zero(cost)), keys),
            "jtd_cost_base": decimal_sum(cost["line_amount_base"], keys),
            "commitment_invoiced_base": decimal_sum(
                cost["line_amount_base"].where(invoiced, _zero(cost)), keys
            ),
        }
    )
    out["direct_costs"] = out["jtd_cost"] - out["commitment_invoiced"]
    out["direct_costs_base"] = out["jtd_cost_base"] - out["commitment_invoiced_base"]
    return out.reset_index()[[*KEY, *FIGURES]].astype(object)


def other_currency_lines(
    lines: pd.DataFrame, currencies: Mapping[str, str], base_currency: str
) -> pd.DataFrame:
    """The cost lines ``job_cost_figures`` leaves out because they are not in their project's currency."""
    cost = _cost_lines(lines)
    return cost[~_in_project_currency(cost, currencies, base_currency)]


def _cost_lines(lines: pd.DataFrame) -> pd.DataFrame:
    return lines[
        lines["project_id"].notna() & lines["mapped"].astype(bool) & ~lines["retainage"].astype(bool)
    ]


def _in_project_currency(cost: pd.DataFrame, currencies: Mapping[str, str], base_currency: str) -> pd.Series:
    project_currency = cost["project_id"].map(lambda p: currencies.get(p, base_currency))
    return (cost["currency"] == project_currency).astype(bool)


def _zero(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([ZERO] * len(frame), index=frame.index, dtype=object)
