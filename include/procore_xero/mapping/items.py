"""Cost code × cost type -> Xero Items, plus the retainage item that bills and invoices code retainage to."""

from __future__ import annotations

import pandas as pd

from procore_xero.mapping.frames import finish, item_codes
from procore_xero.mapping.spec import MappingSpec
from procore_xero.objects.items import ITEMS

ITEM_NAME_MAX = 50
COLUMNS = ("cost_code", "cost_type", "code", "description", "name_truncated")
RETAINAGE_SOURCE_ID = "retainage_item"


def transform_items(cost_codes: pd.DataFrame, cost_types: pd.DataFrame, spec: MappingSpec) -> pd.DataFrame:
    """One item per distinct cost code (across projects) per cost type, and the retainage item.

    Codes are never cut (validation holds those over 30 characters); names over 50 are truncated and
    flagged ``name_truncated``.
    """
    codes = (
        cost_codes[["full_code", "name"]]
        .drop_duplicates("full_code")
        .rename(columns={"full_code": "cost_code", "name": "code_name"})
    )
    types = cost_types[["code", "name"]].rename(columns={"code": "cost_type", "name": "type_name"})
    frame = codes.merge(types, how="cross").sort_values(["cost_code", "cost_type"], kind="stable")
    frame["code"] = item_codes(frame["cost_code"], frame["cost_type"], spec.settings.item_code_separator)
    frame["description"] = frame["code_name"].astype(str) + " - " + frame["type_name"].astype(str)
    frame["source_type"] = "procore/cost_codes"
    frame["source_id"] = frame["code"]
    frame = pd.concat([frame, _retainage_item(spec)], ignore_index=True)
    frame["name_truncated"] = frame["description"].str.len() > ITEM_NAME_MAX
    frame["name"] = frame["description"].str.slice(0, ITEM_NAME_MAX)
    frame["label"] = "Item " + frame["code"] + " (" + frame["name"] + ")"
    _account_columns(frame, spec)
    return finish(
        frame,
        target_type=ITEMS.target_type,
        source_type=None,
        natural_key=ITEMS.natural_key,
        fields=spec.fields("items"),
        columns=COLUMNS,
    )


def _retainage_item(spec: MappingSpec) -> pd.DataFrame:
    retainage = spec.settings.retainage
    return pd.DataFrame(
        {
            "cost_code": [None],
            "cost_type": [None],
            "code": [retainage.item_code],
            "description": [retainage.item_name],
            "source_type": ["pxsync/settings"],
            "source_id": [RETAINAGE_SOURCE_ID],
        }
    )


def _account_columns(frame: pd.DataFrame, spec: MappingSpec) -> None:
    """Default accounts; the retainage item is coded to the retainage accounts instead."""
    retainage = frame["source_id"] == RETAINAGE_SOURCE_ID
    settings = spec.settings
    frame["purchase_account"] = settings.accounts.expense
    frame["sales_account"] = settings.accounts.revenue
    frame.loc[retainage, "purchase_account"] = settings.retainage.payable_account
    frame.loc[retainage, "sales_account"] = settings.retainage.receivable_account
    frame["purchase_tax_type"] = settings.tax.purchase_tax_type
    frame["sales_tax_type"] = settings.tax.sales_tax_type
