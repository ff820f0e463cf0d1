"""The bookkeeping every extract shares: run log row, paging into staging, watermark, stop-and-resume.

A read is described by a ``Read``: its pages from a start page, the filter it uses (stored beside a
resume page, so a resumed read asks the same question and the page numbers still mean the same records)
and how to compute the next watermark once it has finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from procore_xero.clients import DailyLimitReached, RateLimitExhausted
from procore_xero.staging import (
    RunStatus,
    StagingKey,
    TaskTry,
    UpsertCounts,
    clear_resume,
    finish_run,
    get_resume,
    get_watermark,
    set_resume,
    set_watermark,
    start_run,
    upsert_records,
)

Pages = Iterator[list[dict[str, Any]]]


class ExtractStopped(RuntimeError):
    """A rate limit stopped the read: what was fetched is staged and the next run resumes from ``page``."""

    def __init__(self, message: str, *, limit: str, resets_at: datetime, page: int | None) -> None:
        super().__init__(message)
        self.limit, self.resets_at, self.page = limit, resets_at, page


@dataclass(frozen=True)
class Read:
    """``pages(start_page)`` yields the pages; ``query`` is the filter, JSON-safe; ``resumable`` says
    whether a page number identifies where to continue (not for reads spread over several lists)."""

    pages: Callable[[int], Pages]
    query: dict[str, Any]
    resumable: bool = True


@dataclass(frozen=True)
class Extraction:
    """One object type of one account (and project) into staging, logged as one task try."""

    engine: Engine
    system: str
    object_type: str
    key: StagingKey
    task_try: TaskTry
    calls: Callable[[], int]  # the client's total API calls so far

    def resume_point(self) -> dict[str, Any] | None:
        """The stored ``{"page": n, "query": {...}}`` of a read a rate limit interrupted (a nested read's
        ``{"after": [parent type, id], "query": {...}}``), if any."""
        return get_resume(self.engine, self.object_type, self.key)

    def run(self, read: Read, watermark: Callable[[], datetime | None]) -> dict[str, Any]:
        """Page ``read`` into staging; on success move the watermark to ``watermark()`` and clear the
        resume point; on a spent rate limit keep what was staged, store the page, raise ``ExtractStopped``."""
        start_run(self.engine, self.task_try, self.system, self.object_type, self.key)
        resume = self.resume_point()
        start_page = resume.get("page", 1) if resume and resume.get("query") == read.query else 1
        calls_before, started = self.calls(), time.monotonic()
        counts, read_count = UpsertCounts(), 0
        try:
            for records in read.pages(start_page):
                counts += upsert_records(
                    self.engine,
                    self.system,
                    self.object_type,
                    records,
                    key=self.key,
                    run_id=self.task_try.run_id,
                )
                read_count += len(records)
        except RateLimitExhausted as error:
            stop_page = error.page if read.resumable and error.page is not None else None
            self._stop(error, stop_page, read.query, counts, read_count, calls_before)
        except Exception as error:
            self._finish(RunStatus.FAILED, counts, read_count, calls_before, str(error)[:2000])
            raise
        new_watermark = watermark()
        if new_watermark is not None:
            set_watermark(self.engine, self.object_type, self.key, new_watermark)
        clear_resume(self.engine, self.object_type, self.key)
        self._finish(RunStatus.SUCCESS, counts, read_count, calls_before, None)
        return {
            "system": self.system,
            "object_type": self.object_type,
            "scope": self.key.scope,
            "records_read": read_count,
            "inserted": counts.inserted,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "deleted": counts.deleted,
            "api_calls": self.calls() - calls_before,
            "resumed_from_page": start_page if start_page > 1 else None,
            "seconds": round(time.monotonic() - started, 3),
        }

    def _stop(
        self,
        error: RateLimitExhausted,
        page: int | None,
        query: dict[str, Any],
        counts: UpsertCounts,
        read_count: int,
        calls_before: int,
    ) -> None:
        resets = error.resets_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        scope = f"{self.key.account}/{self.key.scope}" if self.key.scope else self.key.account
        where = f"{self.system} {self.object_type} ({scope})"
        resume_text = f"the next run resumes at page {page}" if page else "the next run reads it again"
        message = (
            f"{where}: the {error.limit} API rate limit is spent; it resets at {resets}. "
            f"{read_count} records were staged; {resume_text}."
        )
        if page is not None:
            set_resume(self.engine, self.object_type, self.key, {"page": page, "query": query})
        status = RunStatus.STOPPED_DAILY_LIMIT if isinstance(error, DailyLimitReached) else RunStatus.FAILED
        self._finish(status, counts, read_count, calls_before, message)
        raise ExtractStopped(message, limit=error.limit, resets_at=error.resets_at, page=page) from None

    def _finish(
        self, status: RunStatus, counts: UpsertCounts, read_count: int, calls_before: int, message: str | None
    ) -> None:
        finish_run(
            self.engine,
            self.task_try,
            status,
            counts=counts,
            records_read=read_count,
            api_calls=self.calls() - calls_before,
            message=message,
        )


def read_since(
    engine: Engine, object_type: str, key: StagingKey, window_start: datetime | None, *, full_refresh: bool
) -> datetime | None:
    """Where an incremental read starts: the stored watermark, or the window start if that is earlier (a
    backfill re-reads its own window). None — read everything — on a full refresh or before the first read."""
    watermark = None if full_refresh else get_watermark(engine, object_type, key)
    if watermark is None:
        return None
    return min(watermark, window_start) if window_start is not None else watermark


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
