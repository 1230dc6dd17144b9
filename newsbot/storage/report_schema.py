"""The one schema of the `reports` collection: what a report document holds, checked on the way in
(save_report) and on the way out (every read in storage/reports.py).

A stored document is data that outlives the code that wrote it, and anything with database access can
change it: a document that fails the schema is skipped by every reader with one WARNING naming the
collection, its id and the problem (once per document and process), and counted, so one bad day never
stops `scrapy publish`, `scrapy report --week` or a later day's memory. Fields other issues add
(`status`, `approved_at`, `draft`, ...) are accepted: documents allow extra fields, and those named
here are typed when present.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

logger = logging.getLogger(__name__)

COLLECTION = "reports"
FIRST_DAY = date(2000, 1, 1)


def last_day() -> date:
    """Tomorrow in UTC: the latest report day anywhere on Earth today."""
    return datetime.now(UTC).date() + timedelta(days=1)


def check_report_day(value: str) -> str:
    """`value` as a report day, YYYY-MM-DD between FIRST_DAY and last_day(); ValueError otherwise."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"a report day as YYYY-MM-DD, not {value!r}") from None
    if len(value) != 10 or not FIRST_DAY <= day <= last_day():
        raise ValueError(f"a report day between {FIRST_DAY} and {last_day()} (tomorrow), not {value}")
    return value


def _iso_datetime(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"an ISO date and time, not {value!r}") from None
    return value


ReportDay = Annotated[str, AfterValidator(check_report_day)]
IsoDateTime = Annotated[str, AfterValidator(_iso_datetime)]


class _Loose(BaseModel):
    # Strict: a stored "5" is not a count. Extra fields are kept: newer code may have written them.
    model_config = ConfigDict(strict=True, extra="allow")


class Link(_Loose):
    url: str = ""
    date: str = ""
    title: str = ""
    published_at: str | None = None  # of a 前情 link: the earlier article's own local time


class Entry(_Loose):
    """One entry of the JSON report (the shape build.entry_dict writes)."""

    url: str
    title: str
    rank: int = 0
    summary: str = ""
    source: str = ""
    source_name: str = ""
    region: str = ""
    category: str = ""
    reason: str = ""
    score: float | None = None
    importance: str | int | None = None
    tags: list[str] = Field(default_factory=list)
    published_at: str | None = None
    also_reported_by: list[Link] = Field(default_factory=list)
    previously: list[Link] = Field(default_factory=list)


class Payload(_Loose):
    """The JSON report, as rendered and published."""

    date: ReportDay
    generated_at: IsoDateTime
    raw_count: int = Field(ge=0)
    domestic: list[Entry]
    international: list[Entry]
    overview: str = ""
    stats: dict[str, Any] = Field(default_factory=dict)


class MemoryRecord(_Loose):
    """What later days' repeat check reads of a reported event (memory.memory_record)."""

    url: str
    title: str = ""
    urls: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    signature: list[int] = Field(default_factory=list)
    previously: list[dict[str, Any]] = Field(default_factory=list)
    published_at: datetime | None = None
    zh: bool = True
    entity_keys: list[str] = Field(default_factory=list)
    central_keys: list[str] = Field(default_factory=list)
    number_keys: list[str] = Field(default_factory=list)
    body_number_keys: list[str] = Field(default_factory=list)
    name_keys: list[str] = Field(default_factory=list)
    name_tokens: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    shingles: list[str] = Field(default_factory=list)
    development_keys: list[str] = Field(default_factory=list)


class ReportDocument(_Loose):
    """One document of `reports`: one report day."""

    date: ReportDay
    generated_at: datetime | None = None
    window_start: datetime | None = None
    cutoff: datetime | None = None
    live: bool | None = None
    raw_count: int = Field(default=0, ge=0)
    overview: str = ""
    entries: list[MemoryRecord] = Field(default_factory=list)
    sources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    files: list[str] = Field(default_factory=list)
    payload: Payload | None = None
    # The review workflow's fields (a draft awaiting approval): typed when present, never required.
    status: str | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    approved_version: int | None = None
    approved_entries: dict[str, str] | None = None
    draft: bool | dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_day(self) -> ReportDocument:
        if self.payload is not None and self.payload.date != self.date:
            raise ValueError(f"payload.date {self.payload.date} is not the document's date {self.date}")
        return self


class InvalidReport(ValueError):
    """A report document newsbot was about to write fails the schema; the message is one line."""


def problem_of(exc: ValidationError) -> str:
    """The first error of a validation, in one line: where in the document, and what is wrong."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "document"
    return f"{where}: {first['msg']}"


def check_for_write(doc: dict) -> dict:
    """The document if it fits the schema; InvalidReport (one line) otherwise."""
    try:
        ReportDocument.model_validate(doc)
    except ValidationError as exc:
        raise InvalidReport(f"report {doc.get('date')!r} not stored: {problem_of(exc)}") from None
    return doc


# (collection, id) -> problem, of every document skipped in this process: each is logged once, however
# many readers meet it, and commands print how many there were.
_skipped: dict[tuple[str, str], str] = {}


def valid_or_none(doc: dict | None) -> dict | None:
    """The stored document if it fits the schema; None (after one WARNING, counted) otherwise."""
    if doc is None:
        return None
    try:
        ReportDocument.model_validate(doc)
    except ValidationError as exc:
        note_skipped(COLLECTION, str(doc.get("_id", doc.get("date"))), doc.get("date"), problem_of(exc))
        return None
    return doc


def note_skipped(collection: str, doc_id: str, day, problem: str) -> None:
    """Count a stored document a reader skipped, and log it once per process (any collection)."""
    key = (collection, doc_id)
    if key not in _skipped:
        _skipped[key] = problem
        logger.warning("Skipped %s document %s (date %r): %s", collection, doc_id, day, problem)


def skipped_documents() -> dict[tuple[str, str], str]:
    """Every document skipped so far in this process: (collection, id) -> problem."""
    return dict(_skipped)
