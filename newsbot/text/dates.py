"""The date prefix of a summary: the seed's "2月4日消息，", always ours to write."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# "2月4日消息，", "2026年2月4日，", "2月4日讯 ", "2月4日电": a date a model, a wire or we put first.
# Repeated ("2月3日消息，2月3日，") they are one prefix: a second date would repeat ours.
DATE_PREFIX_RE = re.compile(r"^(?:\s*(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:消息|讯|电)?\s*[，,:：]?\s*)+")


def date_prefix(published_at: datetime | None, tz: ZoneInfo) -> str:
    """The seed's "2月4日消息，", from the article's own publication time in the report's time zone."""
    when = published_at or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    local = when.astimezone(tz)
    return f"{local.month}月{local.day}日消息，"


def strip_date_prefix(text: str | None) -> str:
    """The text without a leading date: the date is always ours to write, and never content."""
    return DATE_PREFIX_RE.sub("", text or "", count=1).strip()
