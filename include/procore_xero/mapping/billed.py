"""What bills and sales invoices share: G702/G703 documents (requisitions, payment applications) as figures
and Xero lines.

Lines are the SOV lines billed this period (qty 1, unit = amount billed, on the cost code item), then the
retainage held this period as one negative line and the retainage released as one positive line, both on
the retainage item and account from settings, never on a cost-code item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from procore_xero.mapping.frames import ZERO, decimal_sum, id_text, item_codes, money, or_zero, pluck
from procore_xero.mapping.known import KnownInXero
from procore_xero.mapping.lines import line_items
from procore_xero.mapping.spec import MappingSpec
from procore_xero.object_column import object_column
from procore_xero.objects.rules import DOCUMENT_MONEY

ONE = Decimal("1.00")
SUMMARY_FIGURES = {
    "gross_this_period": "work_completed_this_period",
    "retainage_held": "retainage_retained_this_period",
    "retainage_released": "retainage_released_this_period",
    "net_due": "current_payment_due",
}
RETAINAGE_ORDER = 1_000_000  # retainage lines come after every SOV line


@dataclass(frozen=True)
class LineCoding:
    """Accounts of one side: payable (bills) or receivable (sales invoices)."""

    account_code: str
    retainage_account: str
    tax_type: str


def billing_figures(documents: pd.DataFrame) -> pd.DataFrame:
    """Procore's own G702 figures per document, exact."""
    figures = pd.DataFrame(index=documents.index)
    figures["has_summary"] = [isinstance(summary, Mapping) for summary in documents["summary"]]
    for column, key in SUMMARY_FIGURES.items():
        figures[column] = money(pluck(documents["summary"], key))
    return figures


def billed_lines(
    documents: pd.DataFrame,
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    options: pd.Series,
    coding: LineCoding,
    spec: MappingSpec,
) -> pd.DataFrame:
    """The lines frame (see ``lines``) of every document; ``options`` is aligned with ``documents``."""
    doc_ids = id_text(documents["id"])
    items = documents[["items"]].assign(doc_id=doc_ids, option=options).explode("items", ignore_index=True)
    items = items[items["items"].notna()]
    detail = pd.json_normalize(items["items"].tolist()) if len(items) else pd.DataFrame()
    sov = pd.DataFrame(
        {
            "doc_id": items["doc_id"].to_numpy(),
            "option": items["option"].to_numpy(),
            "order": range(len(items)),
            "amount": money(_column(detail, "work_completed_this_period")).to_numpy(),
            "description": _column(detail, "description_of_work").to_numpy(),
            "cost_code_id": id_text(_column(detail, "cost_code_id")).to_numpy(),
            "type_id": id_text(_column(detail, "line_item_type_id")).to_numpy(),
        }
    )
    figures = billing_figures(documents).assign(doc_id=doc_ids, option=options)
    return document_lines(sov, figures, cost_codes, cost_types, coding, spec)


def document_lines(
    sov: pd.DataFrame,
    figures: pd.DataFrame,
    cost_codes: pd.DataFrame,
    cost_types: pd.DataFrame,
    coding: LineCoding,
    spec: MappingSpec,
) -> pd.DataFrame:
    """The lines frame from the billed SOV lines (``doc_id, option, order, amount, description,
    cost_code_id, type_id``; zero amounts dropped) and the retainage per document (``doc_id, option,
    retainage_held, retainage_released``)."""
    sov = sov[sov["amount"] != ZERO]
    code = sov["cost_code_id"].map(_lookup(cost_codes, "full_code"))
    kind = sov["type_id"].map(_lookup(cost_types, "code"))
    sov = sov.assign(
        item_code=item_codes(code, kind, spec.settings.item_code_separator).where(
            code.notna() & kind.notna(), None
        ),
        account_code=coding.account_code,
        is_sov=True,
    )
    return pd.concat(
        [
            sov.drop(columns=["cost_code_id", "type_id"]),
            _retainage_lines(figures, "retainage_held", Decimal(-1), "Retainage held", coding, spec),
            _retainage_lines(figures, "retainage_released", ONE, "Retainage released", coding, spec),
        ],
        ignore_index=True,
    ).assign(
        quantity=ONE,  # type: ignore[arg-type]  # pandas-stubs: a column scalar may not be a Decimal
        unit_amount=lambda lines: lines["amount"],
        line_amount=lambda lines: lines["amount"],
        tax_type=coding.tax_type,
    )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)


def _lookup(records: pd.DataFrame, field: str) -> dict[str, str]:
    return dict(zip(id_text(records["id"]), records[field], strict=True))


def _retainage_lines(
    figures: pd.DataFrame, column: str, sign: Decimal, description: str, coding: LineCoding, spec: MappingSpec
) -> pd.DataFrame:
    rows = figures[figures[column] != ZERO]
    return pd.DataFrame(
        {
            "doc_id": rows["doc_id"],
            "option": rows["option"],
            "order": RETAINAGE_ORDER + (sign > 0),
            "amount": rows[column].map(lambda amount: sign * amount),
            "description": description,
            "item_code": spec.settings.retainage.item_code,
            "account_code": coding.retainage_account,
            "is_sov": False,
        }
    )


# The validation columns every billed document (bill, sales invoice) carries, after its own identity.
DOCUMENT_COLUMNS = (
    "date",
    "date_valid",
    "has_summary",
    "project_option_mapped",
    "unmapped_lines",
    *DOCUMENT_MONEY,
    "has_lines",
    "currency",
    "currency_enabled",
    "status",
)


def add_line_columns(
    frame: pd.DataFrame, lines: pd.DataFrame, known: KnownInXero, spec: MappingSpec
) -> pd.DataFrame:
    """``lines_total``, ``sov_total``, ``unmapped_lines``, ``has_lines`` and the ``line_items`` payload."""
    doc_ids = frame["source_id"]
    sov = lines[lines["is_sov"]]
    unmapped = ~sov["item_code"].isin(set(known.item_codes))
    out = frame.copy()
    out["lines_total"] = doc_ids.map(decimal_sum(lines["line_amount"], lines["doc_id"])).map(or_zero)
    out["sov_total"] = doc_ids.map(decimal_sum(sov["line_amount"], sov["doc_id"])).map(or_zero)
    out["unmapped_lines"] = doc_ids.map(unmapped.groupby(sov["doc_id"]).sum()).fillna(0).astype(int)
    out["has_lines"] = doc_ids.isin(set(lines["doc_id"]))  # Xero refuses a document without lines
    out["line_items"] = object_column(out, line_items(lines, doc_ids, spec.settings.tracking_category))
    return out


def currency_columns(frame: pd.DataFrame, currencies: pd.Series, known: KnownInXero) -> None:
    """``currency`` (None, not NaN, where Procore gave none: a message says None) and ``currency_enabled``."""
    frame["currency"] = pd.Series(currencies.to_numpy(), index=frame.index, dtype=object)
    frame["currency"] = frame["currency"].where(frame["currency"].notna(), None)
    frame["currency_enabled"] = frame["currency"].isin(set(known.currencies))
