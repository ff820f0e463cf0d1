"""Xero elements from frame rows through a YAML field map (``Target.Path[0].Field: column``).

The map is compiled once into a tree; rows are rendered at the end, when the payloads are built. Empty
values are left out, and so is a list element or object none of whose columns has a value (a vendor
without a fax gets no FAX phone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

_STEP = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:\[(?P<index>\d+)\])?$")


@dataclass(frozen=True)
class Column:
    name: str


@dataclass(frozen=True)
class Const:
    value: Any


def compile_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The field map as a tree of dicts / lists with ``Column`` and ``Const`` leaves."""
    tree: dict[str, Any] = {}
    for target, source in fields.items():
        leaf = Const(source["const"]) if isinstance(source, Mapping) else Column(str(source))
        _place(tree, target.split("."), leaf, target)
    return tree


def _place(node: dict[str, Any], steps: list[str], leaf: Column | Const, target: str) -> None:
    match = _STEP.match(steps[0])
    if match is None:
        raise ValueError(f"bad target path {target!r}")
    name, index = match["name"], match["index"]
    last = len(steps) == 1
    if index is None:
        if last:
            node[name] = leaf
        else:
            _place(node.setdefault(name, {}), steps[1:], leaf, target)
        return
    elements = node.setdefault(name, [])
    while len(elements) <= int(index):
        elements.append({})
    if last:
        raise ValueError(f"{target!r}: a list element needs a field name after [{index}]")
    _place(elements[int(index)], steps[1:], leaf, target)


def source_columns(tree: Any) -> set[str]:
    if isinstance(tree, Column):
        return {tree.name}
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else ()
    return set().union(*(source_columns(child) for child in children))


def build_payloads(frame: pd.DataFrame, fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One Xero element per row of ``frame``, shaped by ``fields``."""
    tree = compile_fields(fields)
    missing = source_columns(tree) - set(frame.columns)
    if missing:
        raise KeyError(f"the field map reads columns the frame lacks: {sorted(missing)}")
    rows = frame[sorted(source_columns(tree))].astype(object).to_dict("records", into=dict)
    return [_render(tree, row)[0] or {} for row in rows]


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, list | dict | tuple):
        return False
    return bool(pd.isna(value))


def _render(node: Any, row: Mapping[str, Any]) -> tuple[Any, bool]:
    """The rendered node and whether any column under it had a value."""
    if isinstance(node, Const):
        return node.value, False
    if isinstance(node, Column):
        value = row[node.name]
        return (None, False) if _is_empty(value) else (value, True)
    if isinstance(node, list):
        rendered = [_render(child, row) for child in node]
        kept = [value for value, filled in rendered if filled]
        return kept, bool(kept)
    out, filled = {}, False
    for key, child in node.items():
        value, child_filled = _render(child, row)
        if value is not None and (child_filled or isinstance(child, Const)):
            out[key] = value
        filled = filled or child_filled
    return out, filled
