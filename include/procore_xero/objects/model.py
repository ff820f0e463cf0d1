"""What one synced object declares: where its records come from, how they are shaped, checked and written.

Pure data: every transform is a function of the object's module that imports pandas only when it runs,
so DAG files can read the object list while parsing (``procore_xero.objects``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from procore_xero.objects.rules import ObjectRules, Rule

if TYPE_CHECKING:
    import pandas as pd

    Frames = Mapping[str, pd.DataFrame]
    Built = tuple[pd.DataFrame, dict[str, int]]


class Direction(StrEnum):
    """Which way the records move; the values are the settings' ``objects.<name>.direction``."""

    TO_XERO = "procore_to_xero"
    TO_PROCORE = "xero_to_procore"


@dataclass(frozen=True)
class XeroTarget:
    """A Xero collection the loader writes. ``key`` names the list in request and answer bodies;
    ``updatable`` says whether a changed record is updated in place (POST with its id) or, as tracking
    options, created anew under its new name."""

    target_type: str
    key: str
    id_field: str
    updatable: bool


@dataclass(frozen=True)
class SyncObject:
    """One object the sync moves, declared once (``OBJECTS`` derives every registry from these).

    ``dag``: the DAG whose tasks send it, in the order of ``OBJECTS``. ``staged`` / ``staged_xero``: the
    Procore / Xero staging types its transform reads. ``transform`` (to Xero) receives the Procore frames
    by type, what is known in Xero and the mapping spec; ``build`` (to Procore) reads staging itself and
    returns its frame plus counts of records left alone on purpose. ``mapping``: the module of its pandas
    transform, whose ``COLUMNS`` are the frame's own columns (besides ``outgoing.FRAME_COLUMNS``).
    ``target``: a ``XeroTarget``, or the Procore resource type written. ``natural_key``: target field ->
    frame column, what finds a record in the target without the crosswalk.
    ``documents``: project documents (the ``project_number`` Param narrows them), as opposed to reference
    data, always sent whole. ``approvable``: the reasons a person may overrule for this object.
    ``referenced_later``: the run-level links (``system/type``) later steps of its DAG look up.
    """

    name: str
    direction: Direction
    dag: str
    staged: tuple[str, ...]
    target: XeroTarget | str
    natural_key: Mapping[str, str]
    mapping: str
    rules: tuple[Rule, ...]
    staged_xero: tuple[str, ...] = ()
    transform: Callable[[Frames, Any, Any], pd.DataFrame] | None = None
    build: Callable[[Any, Any, Any, Any], Built] | None = None
    money_columns: tuple[str, ...] = ()
    optional_money: tuple[str, ...] = ()  # money columns where None is meaningful (no budget on the codes)
    derived: Mapping[str, str] | None = None  # derived column -> the column it normalises
    documents: bool = False
    approvable: frozenset[str] = frozenset()
    referenced_later: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        to_xero = self.direction is Direction.TO_XERO
        if (self.transform is not None) != to_xero or (self.build is not None) == to_xero:
            raise ValueError(f"sync object {self.name!r}: a transform sends to Xero, a build to Procore")
        if isinstance(self.target, XeroTarget) != to_xero:
            raise ValueError(f"sync object {self.name!r}: its target is in the wrong system")

    def transformed(self, frames: Frames, known: Any, spec: Any) -> pd.DataFrame:
        """Its frame for Xero from the staged Procore frames (an object sent to Xero)."""
        if self.transform is None:
            raise TypeError(f"sync object {self.name!r} is sent to Procore: it has a build, not a transform")
        return self.transform(frames, known, spec)

    def built(self, engine: Any, tenant: Any, spec: Any, known: Any) -> Built:
        """Its frame for Procore, read from staging, and the counts of records left alone on purpose."""
        if self.build is None:
            raise TypeError(f"sync object {self.name!r} is sent to Xero: it has a transform, not a build")
        return self.build(engine, tenant, spec, known)

    @property
    def target_type(self) -> str:
        """The ``target_type`` of its frame's rows (Xero collection or Procore resource)."""
        return self.target.target_type if isinstance(self.target, XeroTarget) else self.target

    @property
    def columns(self) -> tuple[str, ...]:
        """The transform's output columns (imports the transform: call it inside a task, not at parse)."""
        return tuple(importlib.import_module(self.mapping).COLUMNS)

    @property
    def suite(self) -> ObjectRules:
        """Its validation suite, as ``validation`` runs it."""
        return ObjectRules(
            self.target_type,
            self.rules,
            money_columns=self.money_columns,
            optional_money=self.optional_money,
            derived=dict(self.derived or {}),
        )
