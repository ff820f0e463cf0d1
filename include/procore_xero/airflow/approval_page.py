"""What the controller's approval shows and accepts: one entry per held record, ticked to approve or reject.

A record is listed when it has an open exception the controller may overrule (``APPROVABLE_REASONS``); it is
*approvable* only when every open reason on it is overrulable, else the page says which other reason keeps
it out and offers no choice for it. The options are Airflow's Human-in-the-loop options (``multiple``): an
answer can only name what was offered, and ``decisions`` maps the chosen ones back to exception ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_xero.airflow.markdown_text import markdown_text

APPROVE, REJECT = "Approve", "Reject"
LEAVE_PENDING = "Decide later (leave every record pending)"  # the default: what a timeout answers
OPTION_PATTERN = re.compile(rf"^({APPROVE}|{REJECT}) #(\d+): ")
OPTION_TEXT = 90  # characters of the record's name in an option (the table shows it whole)


class ApprovalAnswerError(ValueError):
    """An answer naming something that was not offered, or both approving and rejecting one record."""


@dataclass(frozen=True)
class HeldRecord:
    """One held source record as the page lists it (JSON-able: it travels by XCom to the approval task)."""

    id: int  # the exception id the options name (the overrulable one)
    exception_ids: tuple[int, ...]  # every open exception of the record
    document: str
    vendor: str | None
    amount: str | None
    budget_left: str | None
    reasons: tuple[tuple[str, str], ...]  # (reason code, message)
    blocking: tuple[str, ...]  # reasons no one may overrule: the record is not approvable

    @property
    def approvable(self) -> bool:
        return not self.blocking

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HeldRecord:
        return cls(
            id=int(data["id"]),
            exception_ids=tuple(int(i) for i in data["exception_ids"]),
            document=str(data["document"]),
            vendor=data.get("vendor"),
            amount=data.get("amount"),
            budget_left=data.get("budget_left"),
            reasons=tuple((str(code), str(message)) for code, message in data["reasons"]),
            blocking=tuple(str(code) for code in data["blocking"]),
        )

    def options(self) -> list[str]:
        """The two choices for an approvable record (none otherwise), naming it as plain text."""
        from procore_xero.validation.hold import readable  # at run time: DAG files import this module

        if not self.approvable:
            return []
        name = readable(self.document, OPTION_TEXT)
        amount = f" — {money(self.amount)}" if self.amount is not None else ""
        return [f"{verb} #{self.id}: {name}{amount}" for verb in (APPROVE, REJECT)]


def money(amount: str | None) -> str:
    """``1234.5`` -> ``1,234.50``; not a number -> as given, ``—`` when missing."""
    if amount is None:
        return "—"
    try:
        return f"{Decimal(str(amount)):,.2f}"
    except InvalidOperation:
        return str(amount)


def all_options(records: Iterable[HeldRecord]) -> list[str]:
    return [LEAVE_PENDING, *(option for record in records for option in record.options())]


def page_body(records: Sequence[HeldRecord]) -> str:
    """The Markdown the page shows: every value escaped, each record's reasons, why some cannot be ticked."""
    if not records:
        return ""
    approvable = sum(1 for r in records if r.approvable)
    rows = "\n".join(_row(record) for record in records)
    return (
        f"{len(records)} record(s) are held; {approvable} may be approved. Tick *Approve* or *Reject* for "
        "each record you decide on; records you leave stay pending for the next run.\n\n"
        "| # | document | vendor | amount | budget left | why held | your call |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n"
    )


def _row(record: HeldRecord) -> str:
    why = "; ".join(markdown_text(message) for _, message in record.reasons)
    call = (
        "approve or reject"
        if record.approvable
        else "cannot be approved: also held for "
        + ", ".join(markdown_text(code) for code in record.blocking)
        + ", which no one may overrule; fix it in Procore first"
    )
    cells = [
        str(record.id),
        markdown_text(record.document),
        markdown_text(record.vendor) if record.vendor else "—",
        markdown_text(money(record.amount)),
        markdown_text(money(record.budget_left)),
        why,
        call,
    ]
    return "| " + " | ".join(cells) + " |"


def decisions(chosen: Sequence[str], records: Sequence[HeldRecord]) -> tuple[list[int], list[int]]:
    """The exception ids to approve and to reject that the chosen options name. Anything not offered for
    an approvable record, or a record both approved and rejected, is refused with what and why."""
    offered = {option: record for record in records for option in record.options()}
    unknown = [option for option in chosen if option not in offered and option != LEAVE_PENDING]
    if unknown:
        raise ApprovalAnswerError(
            f"the answer names {unknown}, which the approval did not offer (only listed, approvable records)"
        )
    picked: dict[str, list[HeldRecord]] = {APPROVE: [], REJECT: []}
    for option in chosen:
        if option in offered:
            match = OPTION_PATTERN.match(option)
            assert match is not None  # every offered option is built to match
            picked[match.group(1)].append(offered[option])
    both = sorted({r.id for r in picked[APPROVE]} & {r.id for r in picked[REJECT]})
    if both:
        raise ApprovalAnswerError(f"record(s) #{both} are both approved and rejected; choose one")
    approve = [i for record in picked[APPROVE] for i in record.exception_ids]
    reject = [i for record in picked[REJECT] for i in record.exception_ids]
    return approve, reject
